package dev.lastcall.webhooks;

import java.util.UUID;

/**
 * A delivery this process has leased: only the holder of {@code leaseToken} records its outcome.
 *
 * @param attempts the attempts made before this one
 */
record ClaimedDelivery(long id, UUID subscriptionId, UUID eventId, String body, int attempts, String url,
        String secret, UUID leaseToken) {}
