-- The trace context of the request that published an event: its span as a W3C traceparent
-- (00-<trace-id>-<span-id>-<flags>), so consumers such as webhook deliveries continue that trace.
-- NULL when the request came without a valid traceparent, or no request published the event.
ALTER TABLE outbox_events ADD COLUMN traceparent TEXT;
