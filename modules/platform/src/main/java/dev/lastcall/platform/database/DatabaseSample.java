package dev.lastcall.platform.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Values for gauges, read from the database by one query at most once per {@link #INTERVAL}. A
 * gauge asks {@link #value}: when the last read is older than the interval, a new one starts on a
 * thread of its own and is waited for at most {@link #WAIT}; the query may run at most {@link
 * #QUERY_TIMEOUT}. When the database does not answer (stopped, unreachable, too slow), the values are
 * NaN: a scrape is never failed, nor held for long, by the database.
 */
public final class DatabaseSample {

    private static final Logger log = LoggerFactory.getLogger(DatabaseSample.class);

    public static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration WAIT = Duration.ofMillis(250);
    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(1);
    /** A read that is this old, because newer ones have not come back yet, no longer counts. */
    static final Duration STALE = Duration.ofSeconds(10);

    /** Reads named values in a read-only transaction. */
    @FunctionalInterface
    public interface Query {
        Map<String, Double> read(Connection connection) throws SQLException;
    }

    private record Reading(long nanoTime, Map<String, Double> values) {}

    private final String name;
    private final Transactions transactions;
    private final Query query;
    private volatile Reading last = new Reading(System.nanoTime() - STALE.toNanos(), Map.of());
    private @Nullable CompletableFuture<@Nullable Void> reading;
    private long lastStart = System.nanoTime() - INTERVAL.toNanos();

    /** @param name for the reading thread and the log */
    public DatabaseSample(String name, Transactions transactions, Query query) {
        this.name = name;
        this.transactions = transactions;
        this.query = query;
    }

    /** The value named {@code key} in the latest read, or NaN when there is none or the database did not answer. */
    public double value(String key) {
        CompletableFuture<@Nullable Void> fresh = readIfDue();
        if (fresh != null) {
            try {
                fresh.get(WAIT.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // the latest values, or NaN, are the answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Reading current = last;
        Double value = current.values().get(key);
        return value == null || System.nanoTime() - current.nanoTime() > STALE.toNanos() ? Double.NaN : value;
    }

    /** The read to wait for: a new one when the last began an interval ago, the running one, or none. */
    private synchronized @Nullable CompletableFuture<@Nullable Void> readIfDue() {
        if (reading != null && !reading.isDone()) {
            return reading;
        }
        long now = System.nanoTime();
        if (now - lastStart < INTERVAL.toNanos()) {
            return null;
        }
        lastStart = now;
        reading = CompletableFuture.runAsync(this::read,
                task -> Thread.ofVirtual().name("sample-" + name).start(task));
        return reading;
    }

    private void read() {
        try {
            Map<String, Double> values = transactions.execute(connection -> {
                try (Statement timeout = connection.createStatement()) {
                    timeout.execute("SET LOCAL statement_timeout = " + QUERY_TIMEOUT.toMillis());
                }
                return Map.copyOf(query.read(connection));
            });
            last = new Reading(System.nanoTime(), values);
        } catch (RuntimeException e) {
            last = new Reading(System.nanoTime(), Map.of());
            log.debug("{}: no sample from the database: {}", name, e.toString());
        }
    }
}
