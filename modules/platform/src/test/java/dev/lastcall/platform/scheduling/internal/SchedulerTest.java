package dev.lastcall.platform.scheduling.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.StopResult;
import dev.lastcall.platform.scheduling.Job;
import dev.lastcall.platform.scheduling.JobSchedule;
import dev.lastcall.platform.scheduling.Jobs.ScheduledJob;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    private static final JobSchedule OFTEN = JobSchedule.every(Duration.ofMillis(5));
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    private Scheduler scheduler;

    @AfterEach
    void stopScheduler() throws InterruptedException {
        if (scheduler != null) {
            scheduler.stop(Deadline.after(FIVE_SECONDS));
        }
    }

    /** {@code workers.stopTimeout}: the deadline {@link #stop} gives the scheduler, as the shutdown sequence does. */
    private Duration stopTimeout = FIVE_SECONDS;

    private Scheduler start(Duration stopTimeout, ScheduledJob... jobs) {
        this.stopTimeout = stopTimeout;
        scheduler = new Scheduler(Set.of(jobs));
        scheduler.start();
        return scheduler;
    }

    private StopResult stop() throws InterruptedException {
        return scheduler.stop(Deadline.after(FIVE_SECONDS).atMost(stopTimeout));
    }

    /** Records how many runs overlap; each run takes a little while. */
    static final class OverlapDetector implements Job {
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public Backlog run() throws InterruptedException {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            Thread.sleep(20);
            concurrent.decrementAndGet();
            runs.incrementAndGet();
            return Backlog.NONE;
        }
    }

    /** Blocks until released, to hold a run open across the stop. */
    static final class GatedJob implements Job {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean finished = new AtomicBoolean();
        final AtomicBoolean interrupted = new AtomicBoolean();

        @Override
        public Backlog run() throws InterruptedException {
            started.countDown();
            try {
                release.await();
                finished.set(true);
                return Backlog.NONE;
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            }
        }
    }

    /** Fails every other run. */
    static final class FlakyJob implements Job {
        final AtomicInteger runs = new AtomicInteger();

        @Override
        public Backlog run() {
            if (runs.incrementAndGet() % 2 == 1) {
                throw new IllegalStateException("flaky run " + runs.get());
            }
            return Backlog.NONE;
        }
    }

    @Test
    void noRunStartsWhileTheGateIsClosedAndRunsResumeWhenItOpens() {
        AtomicBoolean open = new AtomicBoolean(false);
        OverlapDetector job = new OverlapDetector();
        scheduler = new Scheduler(Set.of(new ScheduledJob("gated", OFTEN, job)), open::get);
        scheduler.start();

        sleepQuietly(Duration.ofMillis(200));
        assertThat(job.runs.get()).as("runs while closed").isZero();

        open.set(true);
        await().until(() -> job.runs.get() >= 3);
    }

    @Test
    void aFailureTheGateExplainsIsNotLoggedAsAWarning() {
        FlakyJob job = new FlakyJob();
        JobGate explainsEverything = new JobGate() {
            @Override
            public boolean open() {
                return true;
            }

            @Override
            public boolean explains(Exception failure) {
                return true;
            }
        };
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Scheduler.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> warnings =
                new ch.qos.logback.core.read.ListAppender<>();
        warnings.start();
        logger.addAppender(warnings);
        try {
            scheduler = new Scheduler(Set.of(new ScheduledJob("explained", OFTEN, job)), explainsEverything);
            scheduler.start();
            await().until(() -> job.runs.get() >= 4);
        } finally {
            logger.detachAppender(warnings);
        }
        assertThat(warnings.list).noneMatch(event -> event.getLevel() == ch.qos.logback.classic.Level.WARN);
    }

    @Test
    void aJobNeverOverlapsItself() {
        OverlapDetector job = new OverlapDetector();
        start(FIVE_SECONDS, new ScheduledJob("overlap", JobSchedule.every(Duration.ofMillis(1)), job));

        await().until(() -> job.runs.get() >= 10);

        assertThat(job.maxConcurrent.get()).isEqualTo(1);
    }

    @Test
    void stopWaitsForARunningRunToFinish() throws Exception {
        GatedJob job = new GatedJob();
        start(FIVE_SECONDS, new ScheduledJob("gated", OFTEN, job));
        job.started.await();

        Thread.ofPlatform().start(() -> {
            sleepQuietly(Duration.ofMillis(300));
            job.release.countDown();
        });
        StopResult result = stop();

        assertThat(job.finished).isTrue();
        assertThat(job.interrupted).isFalse();
        assertThat(result.complete()).isTrue();
        assertThat(result.summary()).contains("1 runs finished during stop, 0 interrupted");
    }

    @Test
    void stopInterruptsARunThatOverrunsItsDeadline() throws Exception {
        GatedJob job = new GatedJob();
        start(Duration.ofMillis(200), new ScheduledJob("stuck", OFTEN, job));
        job.started.await();

        long begin = System.nanoTime();
        StopResult result = stop();

        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(2));
        assertThat(job.interrupted).isTrue();
        assertThat(job.finished).isFalse();
        assertThat(result.complete()).isFalse();
        assertThat(result.summary()).contains("1 interrupted");
    }

    @Test
    void noNewRunStartsAfterStop() throws Exception {
        OverlapDetector job = new OverlapDetector();
        start(FIVE_SECONDS, new ScheduledJob("counted", OFTEN, job));
        await().until(() -> job.runs.get() >= 2);

        stop();
        int runsAtStop = job.runs.get();
        Thread.sleep(100);

        assertThat(job.runs.get()).isEqualTo(runsAtStop);
    }

    /** Reports {@code MORE} for its first {@code backlog} runs, as a job that took full batches does. */
    static final class BacklogJob implements Job {
        final AtomicInteger runs = new AtomicInteger();
        final int backlog;

        BacklogJob(int backlog) {
            this.backlog = backlog;
        }

        @Override
        public Backlog run() {
            return runs.incrementAndGet() < backlog ? Backlog.MORE : Backlog.NONE;
        }
    }

    @Test
    void aRunThatLeftMoreIsFollowedAtOnceNotAtTheNextTick() {
        BacklogJob job = new BacklogJob(30);
        start(FIVE_SECONDS, new ScheduledJob("backlog", JobSchedule.every(Duration.ofSeconds(1)), job));

        // one run a tick would take 30 s; Awaitility gives up after 10
        await().until(() -> job.runs.get() >= 30);
        sleepQuietly(Duration.ofMillis(300));

        assertThat(job.runs.get()).as("runs once the backlog is gone, before the next tick").isEqualTo(30);
    }

    @Test
    void aBacklogDoesNotHoldTheStop() throws Exception {
        BacklogJob job = new BacklogJob(Integer.MAX_VALUE);
        start(FIVE_SECONDS, new ScheduledJob("endless", JobSchedule.every(Duration.ofMillis(1)), job));
        await().until(() -> job.runs.get() >= 10);

        StopResult result = stop();
        int runsAtStop = job.runs.get();
        Thread.sleep(100);

        assertThat(result.complete()).isTrue();
        assertThat(job.runs.get()).isEqualTo(runsAtStop);
    }

    @Test
    void aFailingJobKeepsItsSchedule() {
        FlakyJob job = new FlakyJob();
        start(FIVE_SECONDS, new ScheduledJob("flaky", OFTEN, job));

        await().until(() -> job.runs.get() >= 6);
    }

    @Test
    void stopWithNoJobsIsImmediateAndComplete() throws Exception {
        start(FIVE_SECONDS);

        StopResult result = stop();

        assertThat(result.complete()).isTrue();
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
