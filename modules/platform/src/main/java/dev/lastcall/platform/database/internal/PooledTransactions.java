package dev.lastcall.platform.database.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.lastcall.platform.database.DatabaseException;
import dev.lastcall.platform.database.DatabaseUnavailable;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Seconds;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Transactions} over the pool: each unit of work gets one connection and one transaction
 * (READ COMMITTED, as the pool hands connections out), is retried on deadlocks and serialization
 * failures, and is counted while it runs, so that {@link #drain} can wait for it at stop.
 *
 * <p>While {@link DatabaseAvailability} says the database is unreachable, work is refused at once;
 * when it goes down, units waiting for a connection are woken and refused. A connection that
 * breaks before the commit is replaced once (nothing was committed); one that breaks during the
 * commit leaves the outcome unknown, and the caller hears exactly that.
 */
@Singleton
public final class PooledTransactions implements Transactions {

    private static final Logger log = LoggerFactory.getLogger(PooledTransactions.class);

    static final int MAX_ATTEMPTS = 10;
    /** Attempts on a fresh connection after one broke before its commit (a restart, a terminated backend). */
    static final int MAX_RECONNECTS = 1;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(2);
    private static final Duration LONGEST_BACKOFF = Duration.ofMillis(200);

    private enum State { NOT_STARTED, OPEN, CLOSED }

    /** One call of {@link #execute}, across its attempts. Its fields are guarded by {@code lock}. */
    private static final class Unit {
        @Nullable Connection connection;
        boolean aborted;
        /** The thread while it waits for a connection from the pool. */
        @Nullable Thread borrower;
        /** Woken from that wait because the database went down. */
        boolean wokenByOutage;
    }

    /** The connection broke during the commit: the server may or may not have committed. */
    private static final class CommitOutcomeUnknown extends RuntimeException {
        CommitOutcomeUnknown(SQLException cause) {
            super(cause);
        }
    }

    /**
     * How the drain went: units that finished by the deadline, and units aborted at it, none of
     * whose work is committed (short of a commit already on its way to the server).
     */
    record Drain(int finished, int aborted) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition unitLeft = lock.newCondition();
    private final Set<Unit> open = new HashSet<>();
    private State state = State.NOT_STARTED;
    private @Nullable DataSource dataSource;
    /** Units that ended on their own, and units aborted, since the drain began; guarded by {@code lock}. */
    private int finishedInDrain;
    private int abortedInDrain;

    private final DatabaseAvailability availability;

    PooledTransactions() {
        this(new DatabaseAvailability());
    }

    @Inject
    PooledTransactions(DatabaseAvailability availability) {
        this.availability = availability;
        availability.addListener(outage -> {
            if (outage.isPresent()) {
                wakeBorrowers();
            }
        });
    }

    DatabaseAvailability availability() {
        return availability;
    }

    /** Units of work running now, retries included. */
    public int openTransactions() {
        lock.lock();
        try {
            return open.size();
        } finally {
            lock.unlock();
        }
    }

    /** Units that ended on their own since the drain began: counts up while it waits. */
    public int finishedInDrain() {
        lock.lock();
        try {
            return finishedInDrain;
        } finally {
            lock.unlock();
        }
    }

    /** Units the drain aborted at its deadline: their transactions roll back. */
    public int abortedInDrain() {
        lock.lock();
        try {
            return abortedInDrain;
        } finally {
            lock.unlock();
        }
    }

    /** The pool while work is accepted: not before the database started, nor once the drain began. */
    Optional<DataSource> pool() {
        lock.lock();
        try {
            return state == State.OPEN ? Optional.ofNullable(dataSource) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** Starts accepting work on connections from {@code pool}, whose connections have autocommit off. */
    void open(DataSource pool) {
        lock.lock();
        try {
            if (state != State.NOT_STARTED) {
                throw new IllegalStateException("transactions already " + state);
            }
            dataSource = pool;
            state = State.OPEN;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public <T> T execute(Work<T> work) {
        Unit unit = admit();
        try {
            return withRetries(work, unit);
        } finally {
            leave(unit);
        }
    }

    private <T> T withRetries(Work<T> work, Unit unit) {
        int reconnects = 0;
        for (int attempt = 1; ; attempt++) {
            try {
                T result = once(work, unit);
                log.debug("transactions: committed on attempt {}", attempt);
                return result;
            } catch (CommitOutcomeUnknown unknown) {
                availability.suspect();
                log.warn("transactions: the connection broke during the commit, the outcome is unknown: {}",
                        unknown.getCause().toString());
                throw DatabaseUnavailable.commitOutcomeUnknown();
            } catch (SQLException | RuntimeException failure) {
                if (aborted(unit)) {
                    throw new DatabaseUnavailable("the service is stopping: the transaction was rolled back");
                }
                if (wokenByOutage(unit)) {
                    throw unreachable();
                }
                Optional<SQLException> sql = SqlStates.sqlCause(failure);
                if (sql.isEmpty()) {
                    throw (RuntimeException) failure;
                }
                Optional<String> retryReason = SqlStates.retryReason(sql.get());
                if (retryReason.isPresent() && attempt < MAX_ATTEMPTS) {
                    Duration pause = backoff(attempt);
                    log.debug("transactions: {} on attempt {} of {}; retrying in {}ms",
                            retryReason.get(), attempt, MAX_ATTEMPTS, pause.toMillis());
                    sleep(pause);
                    continue;
                }
                if (retryReason.isPresent()) {
                    log.warn("transactions: {} on each of {} attempts; giving up", retryReason.get(), MAX_ATTEMPTS);
                    throw new DatabaseUnavailable("the database is busy; try again");
                }
                if (SqlStates.databaseUnavailable(sql.get())) {
                    availability.suspect();
                    if (!availability.available()) {
                        throw unreachable();
                    }
                    if (reconnects < MAX_RECONNECTS && !(sql.get() instanceof SQLTransientConnectionException)) {
                        reconnects++;
                        evictPooledConnections();
                        log.debug("transactions: connection lost before the commit ({}); once more on a new one",
                                sql.get().toString());
                        continue;
                    }
                    log.warn("transactions: database unavailable: {}", sql.get().toString());
                    throw new DatabaseUnavailable("the database is unavailable");
                }
                if (failure instanceof RuntimeException unchecked) {
                    throw unchecked;
                }
                throw new DatabaseException(sql.get());
            }
        }
    }

    private <T> T once(Work<T> work, Unit unit) throws SQLException {
        Connection connection = borrow(unit);
        T result;
        try {
            result = committed(work, unit, connection);
        } catch (Throwable failure) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            // The work committed: a connection that fails on its way back to the pool must not undo that answer.
            log.warn("transactions: returning a connection after a commit failed: {}", e.toString());
        }
        return result;
    }

    private <T> T committed(Work<T> work, Unit unit, Connection connection) throws SQLException {
        attach(unit, connection);
        try {
            T result = work.run(connection);
            if (Thread.currentThread().isInterrupted()) {
                // a job interrupted at the stop's deadline: the driver finished its statements regardless
                throw new DatabaseUnavailable("interrupted: the transaction was rolled back");
            }
            commit(connection);
            return result;
        } catch (Throwable failure) {
            try {
                connection.rollback();
            } catch (SQLException | RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        } finally {
            detach(unit);
        }
    }

    private static void commit(Connection connection) throws SQLException {
        try {
            connection.commit();
        } catch (SQLException e) {
            // A refusal the server sent (a deferred constraint, a serialization failure) rolled back;
            // a connection that broke says nothing of what the server did with the COMMIT.
            if (SqlStates.databaseUnavailable(e)) {
                throw new CommitOutcomeUnknown(e);
            }
            throw e;
        }
    }

    /**
     * After a connection broke: what broke it (a restart, a terminated backend, a network cut)
     * usually broke its idle siblings too, and the pool does not test a connection used in the
     * last half second, so the retry would meet one of them.
     */
    private void evictPooledConnections() {
        if (dataSource() instanceof HikariDataSource hikari && hikari.getHikariPoolMXBean() != null) {
            hikari.getHikariPoolMXBean().softEvictConnections();
        }
    }

    /** A connection from the pool; a wait for one ends early, refused, when the database goes down. */
    private Connection borrow(Unit unit) throws SQLException {
        DataSource pool = dataSource();
        lock.lock();
        try {
            if (!availability.available()) {
                throw unreachable();
            }
            unit.borrower = Thread.currentThread();
        } finally {
            lock.unlock();
        }
        try {
            return pool.getConnection();
        } finally {
            lock.lock();
            try {
                unit.borrower = null;
                if (unit.wokenByOutage) {
                    Thread.interrupted();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private void wakeBorrowers() {
        lock.lock();
        try {
            for (Unit unit : open) {
                if (unit.borrower != null) {
                    unit.wokenByOutage = true;
                    unit.borrower.interrupt();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean wokenByOutage(Unit unit) {
        lock.lock();
        try {
            return unit.wokenByOutage;
        } finally {
            lock.unlock();
        }
    }

    private DatabaseUnavailable unreachable() {
        return DatabaseUnavailable.unreachable(availability.outage()
                .map(outage -> outage.describe() + "; retry after Retry-After")
                .orElse("the database is unreachable; retry after Retry-After"));
    }

    /**
     * Refuses new work, waits until {@code deadline} for open units, then aborts what is left: its
     * connections are cancelled and closed under it, so PostgreSQL rolls their transactions back.
     */
    Drain drain(Deadline deadline) throws InterruptedException {
        long begin = System.nanoTime();
        List<Unit> late = new ArrayList<>();
        int openAtStart;
        lock.lock();
        try {
            state = State.CLOSED;
            openAtStart = open.size();
            log.info("transactions: refusing new work; waiting up to {} for {} open",
                    Seconds.of(deadline.remaining()), openAtStart);
            while (!open.isEmpty() && !deadline.hasExpired()) {
                unitLeft.awaitNanos(deadline.remaining().toNanos());
            }
            for (Unit unit : open) {
                unit.aborted = true;
                late.add(unit);
            }
            abortedInDrain = late.size();
        } finally {
            lock.unlock();
        }
        if (late.isEmpty()) {
            log.info("transactions: {} open finished after {}", openAtStart, Seconds.since(begin));
            return new Drain(openAtStart, 0);
        }
        log.warn("transactions: {} still open after {}: aborting them (they roll back)", late.size(), Seconds.since(begin));
        for (Unit unit : late) {
            @Nullable Connection connection = connectionOf(unit);
            if (connection != null) {
                abort(connection);
            }
        }
        log.info("transactions: {} aborted after {}", late.size(), Seconds.since(begin));
        return new Drain(openAtStart - late.size(), late.size());
    }

    /** Stops the running statement, then closes the socket: the server rolls the transaction back. */
    private static void abort(Connection connection) {
        try {
            connection.unwrap(PGConnection.class).cancelQuery();
        } catch (SQLException | RuntimeException e) {
            log.debug("transactions: cancel failed: {}", e.toString());
        }
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            log.warn("transactions: abort failed: {}", e.toString());
        }
    }

    private Unit admit() {
        Unit unit = new Unit();
        lock.lock();
        try {
            switch (state) {
                case NOT_STARTED -> throw new DatabaseUnavailable("the database is not started yet");
                case CLOSED -> throw new DatabaseUnavailable("the service is stopping");
                case OPEN -> {
                    if (!availability.available()) {
                        throw unreachable();
                    }
                    open.add(unit);
                }
            }
            return unit;
        } finally {
            lock.unlock();
        }
    }

    private void leave(Unit unit) {
        lock.lock();
        try {
            if (open.remove(unit) && state == State.CLOSED && !unit.aborted) {
                finishedInDrain++;
            }
            unitLeft.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void attach(Unit unit, Connection connection) {
        lock.lock();
        try {
            if (unit.aborted) {
                throw new DatabaseUnavailable("the service is stopping");
            }
            unit.connection = connection;
        } finally {
            lock.unlock();
        }
    }

    private void detach(Unit unit) {
        lock.lock();
        try {
            unit.connection = null;
        } finally {
            lock.unlock();
        }
    }

    private boolean aborted(Unit unit) {
        lock.lock();
        try {
            return unit.aborted;
        } finally {
            lock.unlock();
        }
    }

    private @Nullable Connection connectionOf(Unit unit) {
        lock.lock();
        try {
            return unit.connection;
        } finally {
            lock.unlock();
        }
    }

    private DataSource dataSource() {
        lock.lock();
        try {
            if (dataSource == null) {
                throw new DatabaseUnavailable("the database is not started yet");
            }
            return dataSource;
        } finally {
            lock.unlock();
        }
    }

    /** A random pause between half and all of a ceiling that doubles with each attempt. */
    private static Duration backoff(int attempt) {
        long ceiling = Math.min(LONGEST_BACKOFF.toNanos(), FIRST_BACKOFF.toNanos() << Math.min(attempt - 1, 20));
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseUnavailable("interrupted while retrying");
        }
    }

}
