package dev.lastcall.platform.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.StopBudget;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The exit-status and second-signal rules of the one shutdown path, without ending this JVM: the
 * exit and halt calls are recorded, and the hook's body runs on the test's thread.
 */
class ShutdownCoordinatorTest {

    private static final StopBudget BUDGET = new StopBudget(Duration.ofSeconds(30), Duration.ZERO,
            Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(5));

    /** Records what would have ended the process. */
    private static final class RecordedExit implements ShutdownCoordinator.ProcessExit {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void exit(ExitStatus status) {
            calls.add("exit " + status.code());
        }

        @Override
        public void halt(ExitStatus status) {
            calls.add("halt " + status.code());
        }
    }

    private final RecordedExit process = new RecordedExit();

    @Test
    void theFirstSigtermStartsTheJvmsShutdownWithStatusZero() {
        ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> ExitStatus.OK, BUDGET, process);

        coordinator.onSignal("TERM");

        assertThat(process.calls).containsExactly("exit 0");
    }

    @Test
    void aSecondSigtermDuringTheStopIsIgnored() {
        ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> ExitStatus.OK, BUDGET, process);

        coordinator.onSignal("TERM");
        coordinator.onSignal("TERM");

        assertThat(process.calls).containsExactly("exit 0");
    }

    @Test
    void aSecondSigintHaltsAtOnceWith130() {
        ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> ExitStatus.OK, BUDGET, process);

        coordinator.onSignal("INT");
        coordinator.onSignal("INT");

        assertThat(process.calls).containsExactly("exit 0", "halt 130");
    }

    @Test
    void aSigintAfterASigtermAlsoHaltsAtOnce() {
        ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> ExitStatus.OK, BUDGET, process);

        coordinator.onSignal("TERM");
        coordinator.onSignal("INT");

        assertThat(process.calls).containsExactly("exit 0", "halt 130");
    }

    @Test
    void theHookHaltsWithTheStatusOfTheStop() throws InterruptedException {
        ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> ExitStatus.STOP_CUT, BUDGET, process);

        coordinator.runHook();

        assertThat(process.calls).containsExactly("halt 4");
        assertThat(awaitsStop(coordinator)).as("awaitStop returns once the stop is done").isTrue();
    }

    @Test
    void aSuccessorThatTookOverExitsOnlyOnceItsPredecessorHasExited() throws Exception {
        Process predecessor = new ProcessBuilder("sleep", "1").start();
        long began = System.nanoTime();
        ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> ExitStatus.OK, BUDGET, process);
        coordinator.exitAfter(new PredecessorExit(predecessor.toHandle()));

        coordinator.runHook();

        assertThat(Duration.ofNanos(System.nanoTime() - began)).as("the stop, with the predecessor's last second")
                .isGreaterThan(Duration.ofMillis(800));
        assertThat(predecessor.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(process.calls).containsExactly("halt 0");
    }

    @Test
    void aPredecessorStillDrainingAtTheDeadlineIsCutWithStatus4() throws Exception {
        StopBudget second = new StopBudget(Duration.ofSeconds(1), Duration.ZERO, Duration.ofMillis(500),
                Duration.ofMillis(200), Duration.ofMillis(200));
        Process predecessor = new ProcessBuilder("sleep", "60").start();
        try {
            ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> ExitStatus.OK, second, process);
            coordinator.exitAfter(new PredecessorExit(predecessor.toHandle()));

            coordinator.runHook();

            assertThat(predecessor.isAlive()).isTrue();
            assertThat(process.calls).as("not the hung stop's 5").containsExactly("halt 4");
        } finally {
            predecessor.destroyForcibly();
        }
    }

    @Test
    void theHookGivesTheStopTheWholeBudget() {
        List<Duration> given = new CopyOnWriteArrayList<>();
        ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> {
            given.add(deadline.remaining());
            return ExitStatus.OK;
        }, BUDGET, process);

        coordinator.runHook();

        assertThat(given).singleElement().satisfies(left ->
                assertThat(left).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30)));
    }

    @Test
    void aFailedStartExitsWithItsStatusAndTheStopKeepsIt() {
        List<ExitStatus> startStatuses = new CopyOnWriteArrayList<>();
        ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> {
            startStatuses.add(start);
            return start;
        }, BUDGET, process);

        coordinator.exitAfterFailedStart(ExitStatus.DATABASE_UNREACHABLE);
        coordinator.runHook();
        coordinator.onSignal("TERM");

        assertThat(startStatuses).containsExactly(ExitStatus.DATABASE_UNREACHABLE);
        assertThat(process.calls).as("a SIGTERM after the failed start is the same stop, not a second one")
                .containsExactly("exit 3", "halt 3");
    }

    @Test
    void aStopThatHangsPastTheBudgetIsHaltedWithStatusFive() {
        StopBudget tiny = new StopBudget(Duration.ofMillis(200), Duration.ZERO, Duration.ofMillis(100),
                Duration.ofMillis(100), Duration.ofMillis(100));
        CountDownLatch never = new CountDownLatch(1);
        ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ExitStatus.OK;
        }, tiny, process);

        Thread hook = Thread.ofPlatform().start(coordinator::runHook);

        await().atMost(Duration.ofSeconds(5)).until(() -> process.calls.contains("halt 5"));
        assertThat(process.calls).containsExactly("halt 5");
        hook.interrupt();
    }

    @Test
    void aSignalBeginsTheStopEvenWhileItsLogLineCannotBeWritten() {
        ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> ExitStatus.OK, BUDGET, process);

        try (BlockedLog blocked = BlockedLog.on(ShutdownCoordinator.class)) {
            Thread.ofPlatform().daemon().start(() -> coordinator.onSignal("TERM"));

            await().atMost(Duration.ofSeconds(5)).until(() -> process.calls.contains("exit 0"));
        }
    }

    @Test
    void aStopWhoseLogIsBlockedIsStillHaltedPastTheBudget() {
        StopBudget tiny = new StopBudget(Duration.ofMillis(200), Duration.ZERO, Duration.ofMillis(100),
                Duration.ofMillis(100), Duration.ofMillis(100));
        ShutdownCoordinator coordinator = new ShutdownCoordinator((deadline, start) -> ExitStatus.OK, tiny, process);

        try (BlockedLog blocked = BlockedLog.on(ShutdownCoordinator.class)) {
            Thread.ofPlatform().daemon().start(coordinator::runHook);

            await().atMost(Duration.ofSeconds(5)).until(() -> process.calls.contains("halt 5"));
        }
    }

    /** An appender that never returns until closed, as a stdout nobody reads: every logging thread blocks in it. */
    private static final class BlockedLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private final CountDownLatch released = new CountDownLatch(1);
        private final Logger logger;

        private BlockedLog(Logger logger) {
            this.logger = logger;
        }

        static BlockedLog on(Class<?> type) {
            Logger logger = (Logger) LoggerFactory.getLogger(type);
            BlockedLog appender = new BlockedLog(logger);
            appender.setContext(logger.getLoggerContext());
            appender.start();
            logger.addAppender(appender);
            return appender;
        }

        @Override
        protected void append(ILoggingEvent event) {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            logger.detachAppender(this);
            released.countDown();
        }
    }

    private static boolean awaitsStop(ShutdownCoordinator coordinator) throws InterruptedException {
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                coordinator.awaitStop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return waiter.join(Duration.ofSeconds(2));
    }
}
