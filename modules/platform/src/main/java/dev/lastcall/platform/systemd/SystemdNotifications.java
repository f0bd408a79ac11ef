package dev.lastcall.platform.systemd;

import dev.lastcall.platform.http.HttpServer;
import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.LifecycleListener;
import dev.lastcall.platform.lifecycle.LifecycleState;
import dev.lastcall.platform.lifecycle.Phase;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps systemd told about the lifecycle: {@code STATUS=starting}, {@code READY=1} (from {@link
 * #ready}), {@code STOPPING=1} when the stop begins, then a {@code STATUS=} line per component
 * ("draining: 12 requests in flight", "stopping database") and, every second in which the stop
 * made progress, {@code EXTEND_TIMEOUT_USEC=}; a stop that stalls stops extending, so systemd's
 * {@code TimeoutStopSec} still applies. With {@code WATCHDOG_USEC} set, pings {@code WATCHDOG=1}
 * every half of it while the lifecycle has not failed. Does nothing without {@code NOTIFY_SOCKET}.
 */
@Singleton
public final class SystemdNotifications implements LifecycleListener {

    private static final Logger log = LoggerFactory.getLogger(SystemdNotifications.class);

    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
    /** Each extension covers this many progress intervals, so one late tick does no harm. */
    private static final int INTERVALS_PER_EXTENSION = 3;

    private record Stopping(String component, Phase phase) {}

    private final Notifier notifier;
    private final Lifecycle lifecycle;
    private final LongSupplier inFlight;
    private final Optional<Duration> watchdogInterval;
    private final Duration progressInterval;
    private @Nullable ScheduledExecutorService timer;
    private @Nullable ScheduledFuture<?> progress;
    private volatile @Nullable Stopping stopping;
    private String statusAtLastTick = "";

    @Inject
    SystemdNotifications(Notifier notifier, Lifecycle lifecycle, HttpServer http) {
        this(notifier, lifecycle, http::inFlight,
                Watchdog.pingInterval(System.getenv(), ProcessHandle.current().pid()), PROGRESS_INTERVAL);
    }

    SystemdNotifications(Notifier notifier, Lifecycle lifecycle, LongSupplier inFlight,
            Optional<Duration> watchdogInterval, Duration progressInterval) {
        this.notifier = notifier;
        this.lifecycle = lifecycle;
        this.inFlight = inFlight;
        this.watchdogInterval = watchdogInterval;
        this.progressInterval = progressInterval;
    }

    /** Starts following the lifecycle and pinging the watchdog. Call once, before the lifecycle starts. */
    public synchronized void attach() {
        if (!notifier.enabled() || timer != null) {
            return;
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("systemd").daemon().factory());
        timer = scheduler;
        lifecycle.addListener(this);
        watchdogInterval.ifPresent(interval -> {
            scheduler.scheduleAtFixedRate(this::pingWatchdog, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
            log.info("systemd: watchdog on, pinging every {}ms", interval.toMillis());
        });
    }

    /** {@code READY=1}: call when the service answers, after the lifecycle started. */
    public void ready(String status) {
        notifier.ready(status);
    }

    @Override
    public void stateChanged(LifecycleState from, LifecycleState to) {
        switch (to) {
            case STARTING -> notifier.status("starting");
            case STOPPING -> {
                notifier.stopping("stopping");
                followStop();
            }
            case STOPPED -> {
                endFollowingStop();
                notifier.status("stopped");
            }
            case FAILED -> {
                endFollowingStop();
                Throwable failure = lifecycle.failure();
                notifier.status(failure == null ? "failed" : "failed: " + failure.getMessage());
            }
            case NEW, RUNNING -> {}
        }
    }

    @Override
    public void componentStopping(String component, Phase phase) {
        stopping = new Stopping(component, phase);
        notifier.status(stopStatus());
    }

    private synchronized void followStop() {
        ScheduledExecutorService scheduler = timer;
        if (scheduler == null || progress != null) {
            return;
        }
        statusAtLastTick = stopStatus();
        long every = progressInterval.toNanos();
        progress = scheduler.scheduleAtFixedRate(this::reportProgress, every, every, TimeUnit.NANOSECONDS);
    }

    private synchronized void endFollowingStop() {
        if (progress != null) {
            progress.cancel(false);
        }
    }

    /** Runs every progress interval during the stop: extends systemd's timeout only if something moved. */
    private void reportProgress() {
        String status = stopStatus();
        if (!status.equals(statusAtLastTick)) {
            notifier.progress(status, progressInterval.multipliedBy(INTERVALS_PER_EXTENSION));
        }
        statusAtLastTick = status;
    }

    private String stopStatus() {
        Stopping current = stopping;
        if (current == null) {
            return "stopping";
        }
        if (current.phase() == Phase.HTTP) {
            long requests = inFlight.getAsLong();
            return "draining: %d %s in flight".formatted(requests, requests == 1 ? "request" : "requests");
        }
        return "stopping " + current.component();
    }

    private void pingWatchdog() {
        if (lifecycle.state() != LifecycleState.FAILED) {
            notifier.watchdog();
        }
    }
}
