-- The console's list filtered by service and status together: with only (status, id DESC), a rare service among
-- many TIMED_OUT invocations meant walking most of them (72 ms median at 1,000,000 rows on PostgreSQL).
CREATE INDEX extsvc_invocations_service_status ON extsvc_invocations (service, status, id DESC);
