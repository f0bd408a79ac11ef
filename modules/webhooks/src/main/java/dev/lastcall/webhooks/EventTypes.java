package dev.lastcall.webhooks;

import java.util.Set;

/** The event types a subscription may ask for: the outbox events this module delivers. */
final class EventTypes {

    static final String TRANSFER_CREATED = "transfer.created";

    static final Set<String> KNOWN = Set.of(TRANSFER_CREATED);

    private EventTypes() {}
}
