package dev.lastcall.webhooks;

import java.util.UUID;

/**
 * A delivery this process has leased: only the holder of {@code leaseToken} records its outcome.
 *
 * @param attempts the attempts made before this one
 * @param subscriptionActive false once the subscription was disabled: the delivery is not sent
 */
record ClaimedDelivery(long id, UUID subscriptionId, UUID eventId, String body, int attempts, String url,
        String secret, boolean subscriptionActive, UUID leaseToken) {}
