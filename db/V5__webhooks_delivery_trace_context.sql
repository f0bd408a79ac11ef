-- The span of the request whose event a delivery carries (copied from outbox_events at fan-out);
-- every attempt sends a traceparent naming a new child span of it. NULL: no trace, no header.
ALTER TABLE webhook_deliveries ADD COLUMN traceparent TEXT;
