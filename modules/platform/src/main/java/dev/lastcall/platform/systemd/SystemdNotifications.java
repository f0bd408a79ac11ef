package dev.lastcall.platform.systemd;

import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.LifecycleListener;
import dev.lastcall.platform.lifecycle.LifecycleState;
import dev.lastcall.platform.lifecycle.Managed;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps systemd told about the lifecycle: {@code STATUS=starting}, {@code READY=1} (from {@link
 * #ready}), {@code STOPPING=1} (from {@link #stopping}), then the {@link Managed#stopStatus} of the
 * component the stop waits on ("draining: 12 requests in flight", "stopping database") and, every
 * second in which that status changed, {@code EXTEND_TIMEOUT_USEC=}; a stop that stalls stops extending, so systemd's
 * {@code TimeoutStopSec} still applies. With {@code WATCHDOG_USEC} set, pings {@code WATCHDOG=1}
 * every half of it while the lifecycle has not failed. Does nothing without {@code NOTIFY_SOCKET}.
 */
@Singleton
public final class SystemdNotifications implements LifecycleListener {

    private static final Logger log = LoggerFactory.getLogger(SystemdNotifications.class);

    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
    /** Each extension covers this many progress intervals, so one late tick does no harm. */
    private static final int INTERVALS_PER_EXTENSION = 3;

    private final Notifier notifier;
    private final Lifecycle lifecycle;
    private final Optional<Duration> watchdogInterval;
    private final Duration progressInterval;
    private @Nullable ScheduledExecutorService timer;
    private @Nullable ScheduledFuture<?> progress;
    private volatile @Nullable Managed stopping;
    private volatile boolean stopAnnounced;
    private String statusAtLastTick = "";

    @Inject
    SystemdNotifications(Lifecycle lifecycle) {
        this(Notifier.fromEnvironment(System.getenv()), lifecycle,
                Watchdog.pingInterval(System.getenv(), ProcessHandle.current().pid()), PROGRESS_INTERVAL);
    }

    SystemdNotifications(Notifier notifier, Lifecycle lifecycle, Optional<Duration> watchdogInterval,
            Duration progressInterval) {
        this.notifier = notifier;
        this.lifecycle = lifecycle;
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

    /**
     * {@code STATUS=}: what the running service wants to say, e.g. that its database is unreachable;
     * ignored outside RUNNING and once the stop began, whose progress then is the status.
     */
    public void status(String status) {
        if (lifecycle.state() == LifecycleState.RUNNING && !stopAnnounced) {
            notifier.status(status);
        }
    }

    /** {@code STOPPING=1}: the stop has begun; from now on, its progress is reported. */
    public void stopping() {
        stopAnnounced = true;
        notifier.stopping("stopping");
        followStop();
    }

    /** {@code RELOADING=1}: a hot handover has begun. */
    public void reloading() {
        notifier.reloading("reloading: starting a successor");
    }

    /** {@code READY=1} again: the reload failed and this process goes on serving. */
    public void reloadFailed(String reason) {
        notifier.ready("ready; the last reload failed: " + reason);
    }

    /**
     * In a hot handover's successor, before it starts: the service is the predecessor's until
     * {@link #tookOver}, so nothing is said until then, and a successor stopped before it took
     * over never tells systemd {@code STOPPING=1} (with {@code NotifyAccess=all}, the service's stop).
     */
    public void silentUntilTakeover() {
        notifier.mute();
    }

    /**
     * The predecessor has handed the service over (systemd's MAINPID is this process): say what it
     * does again, and ping the watchdog at once, since the predecessor's last ping may be most of
     * WatchdogSec ago.
     */
    public void tookOver() {
        notifier.unmute();
        if (watchdogInterval.isPresent()) {
            pingWatchdog();
        }
    }

    /**
     * {@code MAINPID=}{@code successor}: the service is the successor's from now on, so this
     * process says nothing more to systemd, neither its stop nor watchdog pings.
     */
    public void handedOverTo(long successor) {
        notifier.mainPid(successor);
        notifier.mute();
    }

    @Override
    public void stateChanged(LifecycleState from, LifecycleState to) {
        switch (to) {
            case STARTING -> notifier.status("starting");
            case STOPPED -> {
                endFollowingStop();
                notifier.status("stopped");
            }
            case FAILED -> {
                endFollowingStop();
                Throwable failure = lifecycle.failure();
                notifier.status(failure == null ? "failed" : "failed: " + failure.getMessage());
            }
            case NEW, RUNNING, STOPPING -> {}
        }
    }

    /** The stop now waits on {@code component}: its {@link Managed#stopStatus} is the status. */
    @Override
    public void componentStopping(Managed component) {
        stopping = component;
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
        Managed current = stopping;
        return current == null ? "stopping" : current.stopStatus();
    }

    private void pingWatchdog() {
        if (lifecycle.state() != LifecycleState.FAILED) {
            notifier.watchdog();
        }
    }
}
