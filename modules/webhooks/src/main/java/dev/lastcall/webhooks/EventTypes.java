package dev.lastcall.webhooks;

import dev.lastcall.platform.outbox.TransferCreated;
import java.util.Set;

/** The event types a subscription may ask for: the outbox events this module delivers. */
final class EventTypes {

    static final Set<String> KNOWN = Set.of(TransferCreated.TYPE);

    private EventTypes() {}
}
