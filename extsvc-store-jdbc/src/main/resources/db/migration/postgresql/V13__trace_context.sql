-- Tracing (issue 20): the W3C traceparent of an invocation's callout span ("00-<trace id>-<span id>-<flags>"), so
-- that its callbacks, handler runs, timeout and cancellation join the same trace days later on any node. NULL when
-- the callout was not traced (no OpenTelemetry SDK configured) or the invocation is older than this column.
ALTER TABLE extsvc_invocations ADD COLUMN trace_context TEXT;
