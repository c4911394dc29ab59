-- Callback processing: a lease on the invocation while one callback's handler runs (the sweeper skips leased
-- invocations, so a callback being handled never ends TIMED_OUT), and durable retries of failed handlers.
ALTER TABLE extsvc_invocations ADD COLUMN claim_id UUID;
ALTER TABLE extsvc_invocations ADD COLUMN claim_until BIGINT;
ALTER TABLE extsvc_callbacks ADD COLUMN next_attempt_at BIGINT;
ALTER TABLE extsvc_callbacks ADD COLUMN dead_at BIGINT;
-- The worker looks only at callbacks waiting to be (re)processed.
CREATE INDEX extsvc_callbacks_due ON extsvc_callbacks (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX extsvc_callbacks_unfinished ON extsvc_callbacks (received_at) WHERE outcome = 'RECEIVED';
