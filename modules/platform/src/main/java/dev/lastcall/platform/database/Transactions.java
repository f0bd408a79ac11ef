package dev.lastcall.platform.database;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The only way a module reaches the database: one unit of work in one transaction. Serialization
 * failures and deadlocks are retried a bounded number of times, so work must be safe to run again
 * (it is: the previous attempt rolled back). While the service stops, new work is refused with
 * {@link DatabaseUnavailable} (503 with Retry-After upstream).
 */
public interface Transactions {

    /**
     * Runs {@code work} in a transaction at READ COMMITTED and commits it; rolls back if it throws.
     * The connection must not be kept, committed or closed by the work.
     */
    <T> T execute(Work<T> work);

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }
}
