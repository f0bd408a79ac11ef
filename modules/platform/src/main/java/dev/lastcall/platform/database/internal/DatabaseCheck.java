package dev.lastcall.platform.database.internal;

import dev.lastcall.platform.lifecycle.Seconds;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Whether the database answers, for health: a connection from the pool, validated with a short
 * timeout. While the pool is not open (before start, from the drain on) it is down without
 * asking. However often it is asked, it reaches the database at most once per {@link #FRESH_FOR}
 * (callers in between get the last result) and one check at a time; a caller waits at most
 * {@link #WAIT} for a check under way, then hears that the database did not answer in time, while
 * the check goes on for the next caller. While {@link DatabaseAvailability} knows the database is
 * unreachable, that is the answer, without asking; a failed check makes it probe.
 */
@Singleton
public final class DatabaseCheck {

    static final Duration FRESH_FOR = Duration.ofSeconds(1);
    static final Duration WAIT = Duration.ofMillis(500);
    private static final int VALIDATION_TIMEOUT_SECONDS = 1;

    /**
     * @param latency borrowing and validating the connection, when reachable
     * @param problem why it is not reachable; empty when it is
     * @param outage whether the service knows the database is unreachable and refuses work that needs
     *     it, as opposed to one check that failed or was slow
     */
    public record Result(boolean reachable, Instant checkedAt, Duration latency, String problem, boolean outage) {

        static Result reachable(Instant checkedAt, Duration latency) {
            return new Result(true, checkedAt, latency, "", false);
        }

        static Result unreachable(Instant checkedAt, String problem) {
            return new Result(false, checkedAt, Duration.ZERO, problem, false);
        }

        static Result outage(DatabaseAvailability.Outage outage) {
            return new Result(false, outage.since(), Duration.ZERO, outage.describe(), true);
        }
    }

    private final Supplier<Optional<DataSource>> pool;
    private final DatabaseAvailability availability;
    private final Duration freshFor;
    private final Duration wait;
    private @Nullable Result last;
    private long lastAtNanos;
    private @Nullable CompletableFuture<Result> running;

    @Inject
    DatabaseCheck(PooledTransactions transactions) {
        this(transactions::pool, transactions.availability(), FRESH_FOR, WAIT);
    }

    DatabaseCheck(Supplier<Optional<DataSource>> pool, Duration freshFor, Duration wait) {
        this(pool, new DatabaseAvailability(), freshFor, wait);
    }

    DatabaseCheck(Supplier<Optional<DataSource>> pool, DatabaseAvailability availability, Duration freshFor,
            Duration wait) {
        this.pool = pool;
        this.availability = availability;
        this.freshFor = freshFor;
        this.wait = wait;
    }

    public Result check() {
        Optional<DataSource> dataSource = pool.get();
        if (dataSource.isEmpty()) {
            // Known without asking the database, so never stale: no cached "up" outlives the drain.
            return Result.unreachable(Instant.now(),
                    "the pool is not open (the database is starting, stopping or not part of this service)");
        }
        Optional<DatabaseAvailability.Outage> outage = availability.outage();
        if (outage.isPresent()) {
            return Result.outage(outage.get());
        }
        CompletableFuture<Result> check;
        synchronized (this) {
            if (last != null && System.nanoTime() - lastAtNanos < freshFor.toNanos()) {
                return last;
            }
            if (running == null) {
                CompletableFuture<Result> started = new CompletableFuture<>();
                running = started;
                Thread.ofVirtual().name("database-check").start(() -> finish(started, probe(dataSource.get())));
            }
            check = running;
        }
        try {
            return check.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Result.unreachable(Instant.now(), "no answer within " + Seconds.of(wait));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.unreachable(Instant.now(), "interrupted while waiting for the check");
        } catch (ExecutionException e) {
            return Result.unreachable(Instant.now(), Failures.oneLine(e.getCause()));
        }
    }

    private synchronized void finish(CompletableFuture<Result> check, Result result) {
        if (!result.reachable()) {
            availability.suspect();
        }
        last = result;
        lastAtNanos = System.nanoTime();
        running = null;
        check.complete(result);
    }

    private Result probe(DataSource dataSource) {
        Instant at = Instant.now();
        long begin = System.nanoTime();
        try (Connection connection = dataSource.getConnection()) {
            if (connection.isValid(VALIDATION_TIMEOUT_SECONDS)) {
                return Result.reachable(at, Duration.ofNanos(System.nanoTime() - begin));
            }
            return Result.unreachable(at, "a connection did not validate within " + VALIDATION_TIMEOUT_SECONDS + "s");
        } catch (SQLException | RuntimeException e) {
            return Result.unreachable(at, Failures.oneLine(e));
        }
    }
}
