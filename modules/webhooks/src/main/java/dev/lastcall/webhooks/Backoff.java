package dev.lastcall.webhooks;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try again after a failed attempt: {@code base} doubled for each earlier attempt, capped at
 * {@code max}, of which a random half is taken off ("equal jitter"), so receivers that come back
 * are not hit by every retry at once.
 */
record Backoff(Duration base, Duration max) {

    /** The delay before the next attempt, after {@code failedAttempts} (at least 1) have failed. */
    Duration after(int failedAttempts) {
        Duration ceiling = ceiling(failedAttempts);
        long half = ceiling.toMillis() / 2;
        return Duration.ofMillis(ceiling.toMillis() - half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    /** The delay without jitter: the most {@link #after} can return. */
    Duration ceiling(int failedAttempts) {
        Duration delay = base;
        for (int i = 1; i < failedAttempts && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
