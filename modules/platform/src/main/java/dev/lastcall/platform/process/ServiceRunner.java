package dev.lastcall.platform.process;

import dev.lastcall.platform.database.internal.DatabaseAvailability;
import dev.lastcall.platform.http.internal.AdminServer;
import dev.lastcall.platform.http.internal.HandoverWarmUp;
import dev.lastcall.platform.http.internal.HttpServer;
import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.LifecycleState;
import dev.lastcall.platform.lifecycle.Seconds;
import dev.lastcall.platform.lifecycle.StartAborted;
import dev.lastcall.platform.lifecycle.StartFailure;
import dev.lastcall.platform.lifecycle.StopBudget;
import dev.lastcall.platform.systemd.SystemdNotifications;
import dev.lastcall.platform.database.internal.Database;
import dev.lastcall.platform.systemd.Predecessor;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the service: installs the one shutdown path, starts the lifecycle (the admin port first),
 * says it is ready, then waits for the stop. Whatever fails at start ends the process with its
 * documented exit status after stopping what had started.
 */
public final class ServiceRunner {

    private static final Logger log = LoggerFactory.getLogger(ServiceRunner.class);

    private final Lifecycle lifecycle;
    private final ShutdownSequence sequence;
    private final StopBudget budget;
    private final AdminServer admin;
    private final HttpServer http;
    private final SystemdNotifications systemd;
    private final HotHandover handover;
    private final HandoverWarmUp warmUp;
    private final Database database;
    private final DatabaseAvailability availability;
    private final Optional<Predecessor> predecessor = Predecessor.fromEnvironment(System.getenv());

    @Inject
    ServiceRunner(Lifecycle lifecycle, ShutdownSequence sequence, StopBudget budget, AdminServer admin, HttpServer http,
            SystemdNotifications systemd, HotHandover handover, HandoverWarmUp warmUp, Database database,
            DatabaseAvailability availability) {
        this.handover = handover;
        this.warmUp = warmUp;
        this.availability = availability;
        this.database = database;
        this.lifecycle = lifecycle;
        this.sequence = sequence;
        this.budget = budget;
        this.admin = admin;
        this.http = http;
        this.systemd = systemd;
    }

    public void run() throws InterruptedException {
        ShutdownCoordinator shutdown = new ShutdownCoordinator(sequence, budget);
        shutdown.install();
        handover.install(shutdown);
        Optional<ProcessHandle> predecessorProcess = predecessor.flatMap(p -> ProcessHandle.current().parent());
        predecessor.ifPresent(p -> {
            handover.markSuccessor();
            systemd.silentUntilTakeover();
            log.info("handover: taking over as pid {} from pid {}", ProcessHandle.current().pid(),
                    ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L));
            database.adoptRunningServer();
        });
        systemd.attach(); // pings the watchdog at once: in a successor only after silentUntilTakeover
        try {
            lifecycle.start();
        } catch (StartAborted aborted) {
            shutdown.awaitStop();
            return;
        } catch (StartFailure failure) {
            log.error("start failed: {}", failure.getMessage());
            shutdown.exitAfterFailedStart(failure.status());
        } catch (Exception e) {
            log.error("start failed: {}", oneLine(e));
            shutdown.exitAfterFailedStart(ExitStatus.START_FAILED);
        }
        if (predecessor.isPresent() && lifecycle.state() == LifecycleState.RUNNING) {
            warmUp.run(shutdown::stopRequested);
            if (shutdown.stopRequested()) {
                // stopped while warming up: the predecessor sees the channel close and goes on serving
                shutdown.awaitStop();
                return;
            }
        }
        if (predecessor.isPresent()) {
            if (!predecessor.get().readyAndAwaitTakeover()) {
                // it stopped (or died) meanwhile: the service is not this process's to serve
                log.error("handover: the predecessor went away without handing over; stopping");
                shutdown.exitAfterFailedStart(ExitStatus.START_FAILED);
            }
            predecessorProcess.ifPresent(process -> shutdown.exitAfter(new PredecessorExit(process)));
            database.tookOver();
            systemd.tookOver();
            handover.markTookOver();
        }
        startAdminAfterTakeover(shutdown);
        if (shutdown.stopRequested() || lifecycle.state() != LifecycleState.RUNNING) {
            // a signal at the instant the start ended: the stop has begun, so never say ready after it
            shutdown.awaitStop();
            return;
        }
        log.info("ready in {}: http on port {}, admin on port {}", sinceProcessStart(), http.port(), admin.port());
        String ready = "ready: http on port %d, admin on port %d".formatted(http.port(), admin.port());
        systemd.ready(ready);
        DatabaseAvailability.Listener status = outage -> systemd.status(
                outage.map(o -> o.describe() + "; refusing work that needs it").orElse(ready));
        availability.addListener(status);
        Optional<DatabaseAvailability.Outage> already = availability.outage();
        if (already.isPresent()) {
            status.changed(already);
        }
        shutdown.awaitStop();
    }

    private void startAdminAfterTakeover(ShutdownCoordinator shutdown) {
        try {
            admin.startAccepting();
        } catch (Exception e) {
            log.error("start failed: the admin port: {}", oneLine(e));
            shutdown.exitAfterFailedStart(ExitStatus.START_FAILED);
        }
    }

    private static String oneLine(Throwable e) {
        StringBuilder line = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            line.append(": ").append(cause.getMessage());
        }
        return line.toString();
    }

    private static String sinceProcessStart() {
        return ProcessAge.now().map(Seconds::of).orElse("?s");
    }
}
