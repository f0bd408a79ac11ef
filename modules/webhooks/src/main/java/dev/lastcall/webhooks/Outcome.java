package dev.lastcall.webhooks;

import org.jspecify.annotations.Nullable;

/** What one delivery attempt came to. */
sealed interface Outcome {

    /** The receiver answered 2xx. */
    record Delivered(int statusCode) implements Outcome {}

    /** The receiver answered 410 Gone: it wants no more deliveries for this subscription. */
    record Gone() implements Outcome {}

    /** The attempt failed: another status, no answer in time, no connection, or a refused address. */
    record Failed(@Nullable Integer statusCode, String error) implements Outcome {}

    /** Nothing was sent, because the lease would run out first; the delivery waits for its lease to expire. */
    record NotSent(String reason) implements Outcome {}
}
