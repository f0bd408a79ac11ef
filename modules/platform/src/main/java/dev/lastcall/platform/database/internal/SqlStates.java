package dev.lastcall.platform.database.internal;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** What a failure's SQLState says about trying again. */
final class SqlStates {

    static final String SERIALIZATION_FAILURE = "40001";
    static final String DEADLOCK_DETECTED = "40P01";

    /** The server is shutting down, restarting, or has no connection left for us. */
    private static final Set<String> SERVER_UNAVAILABLE = Set.of("57P01", "57P02", "57P03", "53300");
    private static final String CONNECTION_EXCEPTION_CLASS = "08";
    /** Bounds the walk through causes and chained exceptions, which could in theory loop. */
    private static final int DEEPEST_CHAIN = 16;

    private SqlStates() {}

    /** The SQLException in {@code failure}'s causes, if any. */
    static Optional<SQLException> sqlCause(Throwable failure) {
        @Nullable Throwable current = failure;
        for (int depth = 0; current != null && depth < DEEPEST_CHAIN; depth++) {
            if (current instanceof SQLException sql) {
                return Optional.of(sql);
            }
            current = current.getCause();
        }
        return Optional.empty();
    }

    /** "deadlock" or "serialization failure" when the transaction may succeed if run again. */
    static Optional<String> retryReason(SQLException failure) {
        for (SQLException e : chain(failure)) {
            if (SERIALIZATION_FAILURE.equals(e.getSQLState())) {
                return Optional.of("serialization failure");
            }
            if (DEADLOCK_DETECTED.equals(e.getSQLState())) {
                return Optional.of("deadlock");
            }
        }
        return Optional.empty();
    }

    /** True when the database, not the work, failed: no connection, or the server is going away. */
    static boolean databaseUnavailable(SQLException failure) {
        for (SQLException e : chain(failure)) {
            if (e instanceof SQLTransientConnectionException) {
                return true;
            }
            @Nullable String state = e.getSQLState();
            if (state != null && (state.startsWith(CONNECTION_EXCEPTION_CLASS) || SERVER_UNAVAILABLE.contains(state))) {
                return true;
            }
        }
        return false;
    }

    /** The exception, the exceptions chained to it, and their SQL causes. */
    private static List<SQLException> chain(SQLException first) {
        List<SQLException> all = new ArrayList<>();
        @Nullable Throwable current = first;
        while (current != null && all.size() < DEEPEST_CHAIN) {
            if (current instanceof SQLException sql) {
                all.add(sql);
                current = sql.getNextException() != null ? sql.getNextException() : sql.getCause();
            } else {
                current = current.getCause();
            }
        }
        return all;
    }
}
