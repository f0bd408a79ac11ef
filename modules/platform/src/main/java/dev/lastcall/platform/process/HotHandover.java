package dev.lastcall.platform.process;

import dev.lastcall.platform.database.internal.Database;
import dev.lastcall.platform.http.internal.AdminServer;
import dev.lastcall.platform.http.internal.HttpServer;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.LifecycleListener;
import dev.lastcall.platform.lifecycle.LifecycleState;
import dev.lastcall.platform.systemd.ListeningSockets;
import dev.lastcall.platform.systemd.Successor;
import dev.lastcall.platform.systemd.SystemdNotifications;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP: a hot handover (DESIGN.md, "Reload"). Starts a successor from the files on disk now,
 * with this process's command line and its listening sockets; both serve while the successor
 * starts. Once the successor is ready: {@code MAINPID=} the successor, then this process stops
 * by the usual sequence, leaving an embedded PostgreSQL running for the successor, and exits 0.
 * A successor that fails changes nothing here but a log line and the reload's outcome ({@link
 * ReloadOutcome}).
 */
public final class HotHandover implements LifecycleListener {

    private static final Logger log = LoggerFactory.getLogger(HotHandover.class);

    /** How long a successor may take to be ready: within the reload command's 150s and the unit's TimeoutStartSec. */
    static final Duration SUCCESSOR_READY_WITHIN = Duration.ofSeconds(120);
    private static final Duration STOP_ACCEPTING_WITHIN = Duration.ofSeconds(5);

    private final Lifecycle lifecycle;
    private final HttpServer http;
    private final AdminServer admin;
    private final Database database;
    private final SystemdNotifications systemd;
    private final AtomicBoolean inProgress = new AtomicBoolean();
    /** False in a successor until it has taken over: systemd would not hear of a handover it began. */
    private volatile boolean tookOver = true;
    /** The successor while it starts; a stop of this process meanwhile ends it. */
    private volatile @Nullable Successor starting;

    @Inject
    HotHandover(Lifecycle lifecycle, HttpServer http, AdminServer admin, Database database, SystemdNotifications systemd) {
        this.lifecycle = lifecycle;
        this.http = http;
        this.admin = admin;
        this.database = database;
        this.systemd = systemd;
        lifecycle.addListener(this);
    }

    /** A stop that begins while a successor starts (SIGTERM, not the handover's own) ends the successor. */
    @Override
    public void stateChanged(LifecycleState from, LifecycleState to) {
        Successor successor = starting;
        if (to == LifecycleState.STOPPING && successor != null) {
            log.warn("handover: stopping while the successor (pid {}) starts: ending it", successor.pid());
            killQuietly(successor);
        }
    }

    /** Installs the SIGHUP handler; a handover then ends the process through {@code shutdown}. */
    void install(ShutdownCoordinator shutdown) {
        Signal.handle(new Signal("HUP"), signal -> onHangUp(shutdown));
    }

    /** This process is a successor: SIGHUP is ignored until {@link #markTookOver}. */
    void markSuccessor() {
        tookOver = false;
    }

    void markTookOver() {
        tookOver = true;
    }

    void onHangUp(ShutdownCoordinator shutdown) {
        long self = ProcessHandle.current().pid();
        if (!tookOver) {
            log.info("SIGHUP received before this process took over from its predecessor: ignored");
            ReloadOutcome.refused(self, "pid %d has not taken over from its predecessor yet".formatted(self));
            return;
        }
        if (lifecycle.state() != LifecycleState.RUNNING) {
            log.info("SIGHUP received while {}: no handover, ignored", lifecycle.state());
            ReloadOutcome.refused(self, "pid %d is %s, not running".formatted(self, lifecycle.state()));
            return;
        }
        if (!inProgress.compareAndSet(false, true)) {
            log.info("SIGHUP received during a handover: ignored");
            return;
        }
        Thread.ofPlatform().name("handover").start(() -> handOver(shutdown));
    }

    private void handOver(ShutdownCoordinator shutdown) {
        long self = ProcessHandle.current().pid();
        log.info("SIGHUP received: handing over to a successor started from the files on disk");
        systemd.reloading();
        Successor successor;
        http.sharedWithSuccessor(true);
        try {
            successor = Successor.start(commandLine(), System.getenv(),
                    ListeningSockets.descriptorOf(http.port()), ListeningSockets.descriptorOf(admin.port()));
        } catch (IOException | RuntimeException e) {
            http.sharedWithSuccessor(false);
            failed(self, "the successor could not be started: " + e.getMessage());
            return;
        }
        starting = successor;
        log.info("handover: successor started as pid {}, serving alongside it until it is ready", successor.pid());
        Successor.Outcome outcome;
        try {
            outcome = successor.awaitReady(SUCCESSOR_READY_WITHIN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(self, "interrupted while waiting for the successor");
            return;
        } finally {
            starting = null;
        }
        if (!outcome.ready()) {
            // a successor that is gone for sure holds no socket; one that lingers still might
            http.sharedWithSuccessor(ProcessHandle.of(successor.pid()).isPresent());
            failed(self, outcome.failure());
            return;
        }
        if (!shutdown.stopForHandover()) {
            log.warn("handover: a stop was requested meanwhile; the successor (pid {}) is ended", successor.pid());
            killQuietly(successor);
            return;
        }
        systemd.handedOverTo(successor.pid());
        database.leaveServerRunning();
        try {
            successor.proceed();
        } catch (IOException e) {
            log.warn("handover: could not tell the successor (pid {}) to proceed: {}", successor.pid(), e.getMessage());
        }
        try {
            http.stopAccepting(Deadline.after(STOP_ACCEPTING_WITHIN));
            admin.stopAccepting();
        } catch (Exception e) {
            log.warn("handover: could not stop accepting before the stop: {}", e.toString());
        }
        ReloadOutcome.succeeded(self, successor.pid());
        log.info("handover: pid {} is ready and is the service now; this process stops accepting and drains", successor.pid());
        shutdown.exitAfterHandover();
    }

    private void failed(long self, String why) {
        log.error("reload failed: {}; pid {} goes on serving", why, self);
        systemd.reloadFailed(why);
        ReloadOutcome.failed(self, why);
        inProgress.set(false);
    }

    private static void killQuietly(Successor successor) {
        try {
            successor.kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** This JVM's own argv as it was started: the successor gets the same, with a cache switched off for staleness on again. */
    static List<String> commandLine() throws IOException {
        return StaleAotCache.withCacheAgain(StaleAotCache.commandLine());
    }
}
