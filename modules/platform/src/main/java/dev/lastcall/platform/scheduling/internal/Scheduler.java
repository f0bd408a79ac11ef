package dev.lastcall.platform.scheduling.internal;

import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.StopBudget;
import dev.lastcall.platform.lifecycle.StopResult;
import dev.lastcall.platform.scheduling.Job;
import dev.lastcall.platform.scheduling.Jobs.ScheduledJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every registered job on its own thread at its fixed delay; a job never overlaps itself. A
 * run that reports {@link Job.Backlog#MORE} (it took a full batch) is followed by the next at once,
 * so a backlog drains as fast as the job can work rather than one batch per tick. A failing run is
 * logged with the job's name and the job runs again at its next tick.
 *
 * <p>While the {@link JobGate} is closed (the database is unreachable), ticks pass without a run,
 * and a run that fails for that reason is logged at DEBUG only: the outage is logged once, elsewhere.
 *
 * <p>Stop: no new run starts; a run in progress gets until the deadline to finish, then its
 * thread is interrupted, and one that still does not end is left behind.
 *
 * <p>Each run counts in {@code lastcall.job.runs} by job and {@link Outcome}, and its time in
 * {@code lastcall.job.run.duration} by job.
 */
public final class Scheduler implements Managed {

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    /** How a run ended. */
    enum Outcome {
        SUCCESS, FAILURE, INTERRUPTED
    }

    private final Set<ScheduledJob> jobs;
    private final MeterRegistry registry;
    private final JobGate gate;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private List<Worker> workers = List.of();

    @Inject
    Scheduler(Set<ScheduledJob> jobs, MeterRegistry registry, JobGate gate) {
        this.jobs = jobs;
        this.registry = registry;
        this.gate = gate;
    }

    Scheduler(Set<ScheduledJob> jobs) {
        this(jobs, JobGate.ALWAYS_OPEN);
    }

    Scheduler(Set<ScheduledJob> jobs, JobGate gate) {
        this(jobs, new SimpleMeterRegistry(), gate);
    }

    @Override
    public String name() {
        return "workers";
    }

    @Override
    public void start() {
        workers = jobs.stream().map(Worker::new).toList();
        workers.forEach(Worker::start);
        log.info("workers: {} jobs scheduled: {}", workers.size(),
                jobs.stream().map(j -> j.name() + " every " + j.schedule().delay().toMillis() + "ms").toList());
    }

    @Override
    public StopResult stop(Deadline deadline) throws InterruptedException {
        stopping.countDown();
        long running = workers.stream().filter(Worker::running).count();
        log.info("workers: no new runs; waiting for {} running jobs", running);
        for (Worker worker : workers) {
            worker.join(deadline);
        }
        int interrupted = 0;
        for (Worker worker : workers) {
            if (worker.isAlive()) {
                log.warn("workers: job {} still running at its deadline: interrupting it", worker.job.name());
                worker.interrupt();
                interrupted++;
            }
        }
        int abandoned = 0;
        Deadline interruptedBy = Deadline.after(StopBudget.INTERRUPTED_JOB_WAIT);
        for (Worker worker : workers) {
            worker.join(interruptedBy);
            if (worker.isAlive()) {
                log.warn("workers: job {} ignored its interrupt; leaving it behind", worker.job.name());
                abandoned++;
            }
        }
        String summary = "%d jobs, %d runs finished during stop, %d interrupted%s".formatted(
                workers.size(), running - interrupted, interrupted, abandoned == 0 ? "" : ", " + abandoned + " abandoned");
        return interrupted == 0 ? StopResult.complete(summary) : StopResult.cut(summary);
    }

    /** One job's loop on its own thread, so a run can never overlap the next. */
    private final class Worker {

        private final ScheduledJob job;
        private final Thread thread;
        private final Timer duration;
        private final Map<Outcome, Counter> runs = new EnumMap<>(Outcome.class);
        private volatile boolean running;

        Worker(ScheduledJob job) {
            this.job = job;
            this.thread = Thread.ofPlatform().name("job-" + job.name()).unstarted(this::loop);
            this.duration = Timer.builder("lastcall.job.run.duration")
                    .description("How long a background job's runs take")
                    .tag("job", job.name())
                    .register(registry);
            for (Outcome outcome : Outcome.values()) {
                runs.put(outcome, Counter.builder("lastcall.job.runs")
                        .description("Runs of a background job by how they ended: success, failure, interrupted (at stop)")
                        .tag("job", job.name())
                        .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                        .register(registry));
            }
        }

        void start() {
            thread.start();
        }

        boolean running() {
            return running;
        }

        boolean isAlive() {
            return thread.isAlive();
        }

        void interrupt() {
            thread.interrupt();
        }

        void join(Deadline deadline) throws InterruptedException {
            long nanos = deadline.remaining().toNanos();
            if (nanos > 0) {
                thread.join(Duration.ofNanos(nanos));
            }
        }

        private void loop() {
            try {
                Job.Backlog backlog = Job.Backlog.NONE;
                while (backlog == Job.Backlog.MORE ? stopping.getCount() > 0
                        : !stopping.await(job.schedule().nextDelay().toNanos(), TimeUnit.NANOSECONDS)) {
                    backlog = gate.open() ? runOnce() : Job.Backlog.NONE;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** What the run reported, or {@code NONE} when it failed. */
        private Job.Backlog runOnce() {
            running = true;
            long begin = System.nanoTime();
            Outcome outcome = Outcome.FAILURE;
            Job.Backlog backlog = Job.Backlog.NONE;
            try {
                backlog = job.job().run();
                outcome = Outcome.SUCCESS;
                log.debug("job {}: run finished in {}ms", job.name(), (System.nanoTime() - begin) / 1_000_000);
            } catch (InterruptedException e) {
                outcome = Outcome.INTERRUPTED;
                log.warn("job {}: run interrupted after {}ms; its work will be redone", job.name(),
                        (System.nanoTime() - begin) / 1_000_000);
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                if (Thread.currentThread().isInterrupted()) {
                    outcome = Outcome.INTERRUPTED;
                    log.warn("job {}: run interrupted after {}ms ({}); its work will be redone", job.name(),
                            (System.nanoTime() - begin) / 1_000_000, e.toString());
                } else if (gate.explains(e)) {
                    log.debug("job {}: run failed, the database being unavailable: {}", job.name(), e.toString());
                } else {
                    log.warn("job {}: run failed; retrying at the next tick", job.name(), e);
                }
            } finally {
                duration.record(System.nanoTime() - begin, TimeUnit.NANOSECONDS);
                runs.get(outcome).increment();
                running = false;
            }
            return backlog;
        }
    }
}
