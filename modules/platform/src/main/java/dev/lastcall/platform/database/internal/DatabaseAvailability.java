package dev.lastcall.platform.database.internal;

import dev.lastcall.platform.lifecycle.Seconds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database can be reached, as far as the service knows: the one place that decides
 * it, for {@link PooledTransactions} (refuses work at once while it is down), health, systemd's
 * status and the scheduler. It goes down when an attempt to connect fails for a connection-class
 * reason, or when a {@link #suspect suspicion} is confirmed by a probe; while down, a prober
 * connects every {@link #PROBE_INTERVAL} and brings it back up on the first success. Each change
 * is logged once: a WARN going down, an INFO coming back.
 */
@Singleton
public final class DatabaseAvailability {

    private static final Logger log = LoggerFactory.getLogger(DatabaseAvailability.class);

    static final Duration PROBE_INTERVAL = Duration.ofMillis(250);

    /** Opens a connection to the database, not from the pool, and validates it. */
    @FunctionalInterface
    interface Probe {
        void connect() throws SQLException;
    }

    /** Told of each change, on the thread that made it. */
    @FunctionalInterface
    public interface Listener {
        void changed(Optional<Outage> outage);
    }

    /** Since when the database is unreachable, and why, as the first failure said. */
    public record Outage(Instant since, String reason) {

        public String describe() {
            return "database unreachable since %s: %s".formatted(since, reason);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Counter outages;
    private final Duration probeInterval;
    private @Nullable Outage outage;
    private long downSinceNanos;
    private @Nullable Probe probe;
    private boolean proberRunning;
    private boolean suspectProbeRunning;
    private boolean closed;

    @Inject
    DatabaseAvailability(MeterRegistry registry) {
        this(registry, PROBE_INTERVAL);
    }

    DatabaseAvailability() {
        this(new SimpleMeterRegistry(), PROBE_INTERVAL);
    }

    DatabaseAvailability(MeterRegistry registry, Duration probeInterval) {
        this.probeInterval = probeInterval;
        Gauge.builder("lastcall.database.available", this, availability -> availability.available() ? 1 : 0)
                .description("1 while the database can be reached, 0 while the service knows it cannot")
                .register(registry);
        this.outages = Counter.builder("lastcall.database.outages")
                .description("Times the database became unreachable since start")
                .register(registry);
    }

    public boolean available() {
        return outage().isEmpty();
    }

    public Optional<Outage> outage() {
        lock.lock();
        try {
            return Optional.ofNullable(outage);
        } finally {
            lock.unlock();
        }
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** From now on, suspicions are checked and outages probed with {@code probe}. */
    void watch(Probe connect) {
        lock.lock();
        try {
            probe = connect;
            closed = false;
        } finally {
            lock.unlock();
        }
    }

    /** Stops probing and releases whoever waits in {@link #awaitAvailable}: the pool is closing. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A connection attempt failed for a reason that says the database cannot be reached. */
    void unreachable(String reason) {
        lock.lock();
        try {
            if (outage != null || closed || probe == null) {
                return;
            }
            outage = new Outage(Instant.now(), reason);
            downSinceNanos = System.nanoTime();
            changed.signalAll();
            startProber();
        } finally {
            lock.unlock();
        }
        outages.increment();
        log.warn("database: unreachable ({}); refusing work that needs it until it answers, probing every {}",
                reason, Seconds.of(probeInterval));
        notifyListeners();
    }

    void reachable() {
        Duration down;
        lock.lock();
        try {
            if (outage == null) {
                return;
            }
            outage = null;
            down = Duration.ofNanos(System.nanoTime() - downSinceNanos);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        log.info("database: reachable again after {}", Seconds.of(down));
        notifyListeners();
    }

    /**
     * Something hinted that the database may be gone (an open connection broke, the pool timed
     * out, a health check failed): a probe, on a thread of its own, decides.
     */
    void suspect() {
        lock.lock();
        try {
            if (outage != null || closed || probe == null || suspectProbeRunning) {
                return;
            }
            suspectProbeRunning = true;
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("database-suspect-probe").start(() -> {
            try {
                probeOnce().ifPresent(this::unreachable);
            } finally {
                lock.lock();
                try {
                    suspectProbeRunning = false;
                } finally {
                    lock.unlock();
                }
            }
        });
    }

    /**
     * Waits while the database is down, so that the pool does not try (and back off ever longer)
     * while the prober does the trying. Returns when it is up again or when closing.
     *
     * @return whether it is available now
     */
    boolean awaitAvailable() throws InterruptedException {
        lock.lock();
        try {
            while (outage != null && !closed) {
                changed.await();
            }
            return outage == null;
        } finally {
            lock.unlock();
        }
    }

    /** Waits at most {@code timeout} for the database to be available; for tests. */
    boolean awaitAvailable(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (outage != null && left > 0) {
                left = changed.awaitNanos(left);
            }
            return outage == null;
        } finally {
            lock.unlock();
        }
    }

    private void startProber() {
        if (proberRunning || probe == null) {
            return;
        }
        proberRunning = true;
        Thread.ofVirtual().name("database-prober").start(this::probeUntilReachable);
    }

    private void probeUntilReachable() {
        try {
            while (true) {
                lock.lock();
                try {
                    if (outage == null || closed) {
                        return;
                    }
                    changed.await(probeInterval.toNanos(), TimeUnit.NANOSECONDS);
                    if (outage == null || closed) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                if (probeOnce().isEmpty()) {
                    reachable();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.lock();
            try {
                proberRunning = false;
                // An outage that began while this prober was on its way out needs one of its own.
                if (outage != null && !closed) {
                    startProber();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** @return why the database cannot be reached, or empty when it answered */
    private Optional<String> probeOnce() {
        Probe connect;
        lock.lock();
        try {
            connect = probe;
        } finally {
            lock.unlock();
        }
        if (connect == null) {
            return Optional.empty();
        }
        try {
            connect.connect();
            return Optional.empty();
        } catch (SQLException | RuntimeException e) {
            return Optional.of(Failures.oneLine(e));
        }
    }

    private void notifyListeners() {
        Optional<Outage> now = outage();
        for (Listener listener : listeners) {
            try {
                listener.changed(now);
            } catch (RuntimeException e) {
                log.warn("database: a listener of availability failed: {}", e.toString());
            }
        }
    }
}
