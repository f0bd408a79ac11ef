package dev.lastcall.platform.process;

import ch.qos.logback.classic.LoggerContext;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.Seconds;
import dev.lastcall.platform.lifecycle.StopBudget;
import dev.lastcall.platform.lifecycle.ThreadDump;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the process's end. SIGTERM and SIGINT start the JVM's shutdown, and the single shutdown hook
 * registered here runs the {@link ShutdownSequence} within {@code shutdown.timeout} and halts with
 * its exit status. A second SIGTERM is logged and ignored; a second SIGINT halts at once. A stop
 * still running past its budget gets a thread dump and a halt.
 *
 * <p>No signal waits for a log line: a stdout nobody reads (a stalled journal, a full pipe) blocks
 * every logging thread, so the exit or halt a signal asks for begins before its line is written,
 * and a halt waits for the log only {@link #LOG_FLUSH_WAIT}.
 */
public final class ShutdownCoordinator {

    private static final Logger log = LoggerFactory.getLogger(ShutdownCoordinator.class);
    /** Left of the budget for the exit itself once the stop has waited for a predecessor. */
    private static final Duration EXIT_RESERVE = Duration.ofMillis(200);
    /** How long a halt waits for the log to be written before it halts anyway. */
    static final Duration LOG_FLUSH_WAIT = Duration.ofSeconds(1);

    /** The stop the hook runs: {@link ShutdownSequence#run}. */
    @FunctionalInterface
    interface Stop {
        ExitStatus run(Deadline deadline, ExitStatus startStatus);
    }

    /** How the process ends; tests record the calls instead. */
    interface ProcessExit {
        /** Begins the JVM's shutdown, which runs the hook, as {@link System#exit} does. */
        void exit(ExitStatus status);

        /** Ends the process at once, after flushing the log, as {@link Runtime#halt} does. */
        void halt(ExitStatus status);

        ProcessExit JVM = new ProcessExit() {
            @Override
            public void exit(ExitStatus status) {
                System.exit(status.code());
            }

            @Override
            public void halt(ExitStatus status) {
                if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
                    awaitAside("log-flush", context::stop, LOG_FLUSH_WAIT);
                }
                Runtime.getRuntime().halt(status.code());
            }
        };
    }

    private final Stop stop;
    private final StopBudget budget;
    private final ProcessExit process;
    private final AtomicReference<@Nullable String> requestedBy = new AtomicReference<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile ExitStatus startStatus = ExitStatus.OK;
    private volatile Optional<PredecessorExit> predecessor = Optional.empty();

    public ShutdownCoordinator(ShutdownSequence sequence, StopBudget budget) {
        this((deadline, startStatus) -> sequence.run(deadline, startStatus).status(), budget, ProcessExit.JVM);
    }

    ShutdownCoordinator(Stop stop, StopBudget budget, ProcessExit process) {
        this.stop = stop;
        this.budget = budget;
        this.process = process;
    }

    /**
     * Registers the one shutdown hook, then takes SIGTERM and SIGINT over from {@link Signals}
     * (installing them if {@code main} did not). Call before anything starts.
     */
    public void install() {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(this::runHook));
        Signals.deliverTo(this::onSignal);
    }

    /** Whether a signal or a failed start has asked the process to end. */
    public boolean stopRequested() {
        return requestedBy.get() != null;
    }

    /** Ends the process after a failed start: stops what started, then exits with {@code status}. */
    public void exitAfterFailedStart(ExitStatus status) {
        startStatus = status;
        requestedBy.compareAndSet(null, "failed start");
        process.exit(status);
    }

    /**
     * Claims the stop for a hot handover, before the successor is told to take over; false when
     * a signal has already begun a stop.
     */
    boolean stopForHandover() {
        return requestedBy.compareAndSet(null, "handover");
    }

    /** After {@link #stopForHandover}: the usual stop, exit status 0 when it drained in time. */
    void exitAfterHandover() {
        process.exit(ExitStatus.OK);
    }

    /** A successor that took over: its stop ends by waiting for the predecessor to have exited. */
    void exitAfter(PredecessorExit predecessor) {
        this.predecessor = Optional.of(predecessor);
    }

    /** Blocks the caller until the process is about to exit. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** @param signal the signal's name without {@code SIG}: {@code TERM} or {@code INT} */
    void onSignal(String signal) {
        String name = "SIG" + signal;
        if (requestedBy.compareAndSet(null, name)) {
            logAside(() -> log.info("{} received: stopping", name));
            process.exit(ExitStatus.OK);
            return;
        }
        if ("INT".equals(signal)) {
            logAside(() -> log.warn("{} received again during the stop: halting now", name));
            process.halt(ExitStatus.INTERRUPTED);
            return;
        }
        log.info("{} received during the stop (requested by {}): already stopping, ignored", name, requestedBy.get());
    }

    /** The shutdown hook's body: the stop, then a halt with its status (halt is what sets a status from a hook). */
    void runHook() {
        requestedBy.compareAndSet(null, "JVM shutdown");
        Deadline deadline = budget.begin();
        startWatchdog(budget.hangsAfter());
        log.info("stop requested by {}: shutdown budget {}", requestedBy.get(), Seconds.of(budget.total()));
        ExitStatus sequenceStatus = stop.run(deadline, startStatus);
        boolean predecessorGone = predecessor.map(p -> p.await(deadline.minus(EXIT_RESERVE))).orElse(true);
        // the predecessor's drain is cut once this process, the main one, exits
        ExitStatus status = sequenceStatus == ExitStatus.OK && !predecessorGone ? ExitStatus.STOP_CUT : sequenceStatus;
        stopped.countDown();
        process.halt(status);
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
            awaitAside("hang-report", () -> log.error("stop still running {} after it began, past shutdown.timeout: "
                    + "halting. Threads:\n{}", Seconds.of(after), ThreadDump.ofAllThreads()), LOG_FLUSH_WAIT);
            process.halt(ExitStatus.STOP_HUNG);
        });
    }

    /** Writes a log line on a thread of its own, so that a blocked stdout cannot hold up the caller. */
    private static void logAside(Runnable line) {
        Thread.ofPlatform().name("signal-log").daemon().start(line);
    }

    /** Runs {@code work} on a thread of its own and waits for it at most {@code wait}. */
    private static void awaitAside(String name, Runnable work, Duration wait) {
        try {
            Thread.ofPlatform().name(name).daemon().start(work).join(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
