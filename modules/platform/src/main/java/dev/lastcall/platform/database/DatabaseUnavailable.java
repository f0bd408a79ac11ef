package dev.lastcall.platform.database;

import java.time.Duration;

/**
 * Work refused or abandoned because the database cannot take it now: the service is stopping, the
 * database is not started yet or is unreachable, or it stayed busy through every retry. Nothing of
 * the work is committed, so the caller may try the same request again after {@link #retryAfter}
 * (the HTTP layer answers 503 with {@code Retry-After}).
 */
public final class DatabaseUnavailable extends RuntimeException {

    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    public DatabaseUnavailable(String reason) {
        super(reason, null, false, false);
    }

    public Duration retryAfter() {
        return RETRY_AFTER;
    }
}
