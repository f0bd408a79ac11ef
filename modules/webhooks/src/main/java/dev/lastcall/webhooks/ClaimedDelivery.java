package dev.lastcall.webhooks;

import dev.lastcall.platform.context.TraceParent;
import java.util.Optional;
import java.util.UUID;

/**
 * A delivery this process has leased: only the holder of {@code leaseToken} records its outcome.
 *
 * @param attempts the attempts made before this one
 * @param subscriptionActive false once the subscription was disabled: the delivery is not sent
 * @param trace the span of the request that published the event; each attempt is a child span of it
 */
record ClaimedDelivery(long id, UUID subscriptionId, UUID eventId, String body, int attempts, String url,
        String secret, boolean subscriptionActive, UUID leaseToken, Optional<TraceParent> trace) {}
