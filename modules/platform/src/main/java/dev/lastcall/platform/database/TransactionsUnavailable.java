package dev.lastcall.platform.database;

import dev.lastcall.platform.http.Problem;
import dev.lastcall.platform.http.ProblemException;
import java.time.Duration;

/** New work refused because the service is stopping (or the database is gone): a 503 with Retry-After. */
public final class TransactionsUnavailable extends ProblemException {

    public TransactionsUnavailable(String detail) {
        super(Problem.of(503, "service_unavailable", "Service Unavailable", detail), Duration.ofSeconds(1));
    }
}
