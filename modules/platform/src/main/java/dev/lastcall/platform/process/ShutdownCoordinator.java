package dev.lastcall.platform.process;

import ch.qos.logback.classic.LoggerContext;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.StopReport;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Owns the process's end. SIGTERM and SIGINT start the JVM's shutdown, and the single shutdown hook
 * registered here drives {@link Lifecycle#stop} within {@code shutdown.timeout}, logs the one-line
 * report and halts with the exit status. A second SIGTERM is logged and ignored; a second SIGINT
 * halts at once. A stop still running past its budget gets a thread dump and a halt.
 */
public final class ShutdownCoordinator {

    private static final Logger log = LoggerFactory.getLogger(ShutdownCoordinator.class);

    /** Time after the budget for writing the report before the watchdog halts. */
    private static final Duration REPORT_GRACE = Duration.ofSeconds(1);

    private final Lifecycle lifecycle;
    private final Duration budget;
    private final Runnable beforeExit;
    private final AtomicReference<String> requestedBy = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile ExitStatus startStatus = ExitStatus.OK;

    /**
     * @param beforeExit runs after the lifecycle stopped and the report is logged, e.g. to close the
     *     admin port that answered health during the drain
     */
    public ShutdownCoordinator(Lifecycle lifecycle, Duration budget, Runnable beforeExit) {
        this.lifecycle = lifecycle;
        this.budget = budget;
        this.beforeExit = beforeExit;
    }

    /** Installs the signal handlers and the one shutdown hook. Call before anything starts. */
    public void install() {
        handle("TERM");
        handle("INT");
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(this::shutDown));
    }

    /** Ends the process after a failed start: stops what started, then exits with {@code status}. */
    public void exitAfterFailedStart(ExitStatus status) {
        startStatus = status;
        requestedBy.compareAndSet(null, "failed start");
        System.exit(status.code());
    }

    /** Blocks the caller until the process is about to exit. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private void handle(String signal) {
        Signal.handle(new Signal(signal), this::onSignal);
    }

    private void onSignal(Signal signal) {
        String name = "SIG" + signal.getName();
        if (requestedBy.compareAndSet(null, name)) {
            log.info("{} received: stopping", name);
            System.exit(ExitStatus.OK.code());
            return;
        }
        if ("INT".equals(signal.getName())) {
            log.warn("{} received again during the stop: halting now", name);
            flushLogs();
            Runtime.getRuntime().halt(ExitStatus.INTERRUPTED.code());
        }
        log.info("{} received during the stop (requested by {}): already stopping, ignored", name, requestedBy.get());
    }

    private void shutDown() {
        requestedBy.compareAndSet(null, "JVM shutdown");
        Deadline deadline = Deadline.after(budget);
        startWatchdog(budget.plus(REPORT_GRACE));
        log.info("stop requested by {}: shutdown budget {}s", requestedBy.get(), budget.toMillis() / 1000.0);
        StopReport report = lifecycle.stop(deadline);
        ExitStatus status = startStatus != ExitStatus.OK
                ? startStatus
                : report.complete() ? ExitStatus.OK : ExitStatus.STOP_CUT;
        log.info("{}; exit {}", report.summary(), status.code());
        try {
            beforeExit.run();
        } catch (RuntimeException e) {
            log.warn("before exit: {}", e.toString());
        }
        stopped.countDown();
        flushLogs();
        // halt, not exit: we are the shutdown hook, and halt is what sets a status from here
        Runtime.getRuntime().halt(status.code());
    }

    private void startWatchdog(Duration after) {
        Thread.ofPlatform().name("shutdown-watchdog").daemon().start(() -> {
            try {
                if (stopped.await(after.toNanos(), TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            log.error("stop still running {}s after it began, past shutdown.timeout: halting. Threads:\n{}",
                    after.toMillis() / 1000.0, ThreadDump.ofAllThreads());
            flushLogs();
            Runtime.getRuntime().halt(ExitStatus.STOP_HUNG.code());
        });
    }

    private static void flushLogs() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.stop();
        }
    }
}
