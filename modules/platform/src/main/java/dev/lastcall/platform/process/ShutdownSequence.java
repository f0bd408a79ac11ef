package dev.lastcall.platform.process;

import dev.lastcall.platform.http.internal.HttpServer;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.Lifecycle.PhaseStops;
import dev.lastcall.platform.lifecycle.Phase;
import dev.lastcall.platform.lifecycle.StopBudget;
import dev.lastcall.platform.lifecycle.StopReport;
import dev.lastcall.platform.systemd.SystemdNotifications;
import jakarta.inject.Inject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * What a stop does, in DESIGN.md's order; each step gets what is left of the one budget, capped as
 * {@link StopBudget} says:
 *
 * <ol>
 *   <li><b>Announce</b> ({@link #announce}): the lifecycle turns STOPPING, so {@code /health/ready}
 *       answers 503 {@code draining}; systemd is told {@code STOPPING=1}
 *       ({@link SystemdNotifications#stopping}).
 *   <li><b>Drain delay</b> ({@link HttpServer#drainDelay}): {@code http.drainDelay} of serving with
 *       {@code Connection: close}.
 *   <li><b>HTTP drain</b> ({@link HttpServer#stop}): the listener closes, in-flight requests finish
 *       within {@code http.stopTimeout}.
 *   <li><b>Workers</b> ({@link dev.lastcall.platform.scheduling.internal.Scheduler#stop}): no new runs; a
 *       running job finishes within {@code workers.stopTimeout} or is interrupted.
 *   <li><b>Transactions, then the pool</b> ({@link dev.lastcall.platform.database.internal.Database#stop}):
 *       new work refused, open transactions finish within {@code db.stopTimeout} or roll back, the
 *       pool closes, then the embedded PostgreSQL stops.
 *   <li><b>Report</b> ({@link #report}): one line with each step's time and what it drained or cut,
 *       and the exit status.
 * </ol>
 *
 * Then the admin port, which answered health throughout, closes ({@link Lifecycle#stopRemaining}).
 */
public final class ShutdownSequence {

    private static final Logger log = LoggerFactory.getLogger(ShutdownSequence.class);

    /** What a stop did and how the process should end. */
    public record Result(StopReport report, ExitStatus status) {}

    private final Lifecycle lifecycle;
    private final StopBudget budget;
    private final HttpServer http;
    private final SystemdNotifications systemd;
    private final LifecycleMetrics metrics;

    @Inject
    ShutdownSequence(Lifecycle lifecycle, StopBudget budget, HttpServer http, SystemdNotifications systemd,
            LifecycleMetrics metrics) {
        this.lifecycle = lifecycle;
        this.budget = budget;
        this.http = http;
        this.systemd = systemd;
        this.metrics = metrics;
    }

    /**
     * Stops the service by {@code deadline}.
     *
     * @param startStatus the status of a failed start, which then is the exit status; {@link ExitStatus#OK} otherwise
     */
    public Result run(Deadline deadline, ExitStatus startStatus) {
        StopReport report = lifecycle.stop(deadline, phases -> steps(phases, deadline));
        ExitStatus status = report(report, startStatus);
        metrics.exited(status);
        lifecycle.stopRemaining(deadline);
        return new Result(report, status);
    }

    private void steps(PhaseStops phases, Deadline deadline) throws InterruptedException {
        announce();
        drainDelay(deadline);
        drainHttp(phases, deadline);
        stopWorkers(phases, deadline);
        closeDatabase(phases, deadline);
    }

    /** Step 1: {@link Lifecycle#stop} has turned the state to STOPPING, so readiness already answers 503. */
    private void announce() {
        systemd.stopping();
    }

    /** Step 2, when the HTTP server runs: {@link HttpServer#drainDelay}. */
    private void drainDelay(Deadline deadline) throws InterruptedException {
        if (lifecycle.running(Phase.HTTP)) {
            systemd.componentStopping(http);
            http.drainDelay(budget.drainDelay(deadline));
        }
    }

    /** Step 3: {@link HttpServer#stop}. */
    private void drainHttp(PhaseStops phases, Deadline deadline) {
        phases.stop(Phase.HTTP, budget.httpDrain(deadline));
    }

    /** Step 4: {@link dev.lastcall.platform.scheduling.internal.Scheduler#stop}. */
    private void stopWorkers(PhaseStops phases, Deadline deadline) {
        phases.stop(Phase.WORKERS, budget.workers(deadline));
    }

    /** Step 5: {@link dev.lastcall.platform.database.internal.Database#stop}. */
    private void closeDatabase(PhaseStops phases, Deadline deadline) {
        phases.stop(Phase.DATABASE, budget.transactions(deadline));
    }

    /** Step 6: one line, with the same facts as key-value pairs (fields of their own in JSON logs). */
    private static ExitStatus report(StopReport report, ExitStatus startStatus) {
        ExitStatus status = startStatus != ExitStatus.OK
                ? startStatus
                : report.complete() ? ExitStatus.OK : ExitStatus.STOP_CUT;
        LoggingEventBuilder line = log.atInfo().setMessage("{}; exit {}")
                .addArgument(report.summary())
                .addArgument(status.code());
        for (Map.Entry<String, String> field : report.fields().entrySet()) {
            line = line.addKeyValue(field.getKey(), field.getValue());
        }
        line.addKeyValue("exitStatus", status.code()).log();
        return status;
    }
}
