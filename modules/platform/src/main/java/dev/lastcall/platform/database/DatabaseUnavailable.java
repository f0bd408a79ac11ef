package dev.lastcall.platform.database;

import java.time.Duration;

/**
 * Work refused or abandoned because the database cannot take it now: the service is stopping, the
 * database is not started yet or is unreachable, or it stayed busy through every retry. The caller
 * may try the same request again after {@link #retryAfter} (the HTTP layer answers 503 with
 * {@code Retry-After} and the problem {@link #code}). Nothing of the work is committed, except
 * for {@link #COMMIT_OUTCOME_UNKNOWN}: the connection broke during the commit, so the work may or
 * may not be saved, and only a retry that is safe to repeat (the same {@code Idempotency-Key})
 * finds out.
 */
public final class DatabaseUnavailable extends RuntimeException {

    /** The service is stopping or starting, or the database stayed busy. */
    public static final String SERVICE_UNAVAILABLE = "service_unavailable";
    /** The database cannot be reached: refused at once until it answers again. */
    public static final String DATABASE_UNAVAILABLE = "database_unavailable";
    /** The connection broke while committing: the work may have been saved. */
    public static final String COMMIT_OUTCOME_UNKNOWN = "commit_outcome_unknown";

    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final String code;

    public DatabaseUnavailable(String reason) {
        this(SERVICE_UNAVAILABLE, reason);
    }

    private DatabaseUnavailable(String code, String reason) {
        super(reason, null, false, false);
        this.code = code;
    }

    public static DatabaseUnavailable unreachable(String reason) {
        return new DatabaseUnavailable(DATABASE_UNAVAILABLE, reason);
    }

    public static DatabaseUnavailable commitOutcomeUnknown() {
        return new DatabaseUnavailable(COMMIT_OUTCOME_UNKNOWN,
                "the connection to the database broke during the commit, so whether the work was saved is unknown; "
                        + "retry the same request with the same Idempotency-Key: the retry answers what was saved, or does it once");
    }

    /** The problem code of the 503 answer. */
    public String code() {
        return code;
    }

    /** The problem title of the 503 answer. */
    public String title() {
        return switch (code) {
            case DATABASE_UNAVAILABLE -> "Database unavailable";
            case COMMIT_OUTCOME_UNKNOWN -> "Commit outcome unknown";
            default -> "Service Unavailable";
        };
    }

    public Duration retryAfter() {
        return RETRY_AFTER;
    }
}
