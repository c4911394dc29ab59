-- The console's overview: the last hour's activity by submit and receive time, and callbacks whose handler failed.
-- The submit-time index also serves the list's time-range filter.
CREATE INDEX extsvc_invocations_submitted ON extsvc_invocations (submit_time);
CREATE INDEX extsvc_callbacks_received ON extsvc_callbacks (received_at);
CREATE INDEX extsvc_callbacks_failed ON extsvc_callbacks (received_at) WHERE outcome = 'FAILED';
