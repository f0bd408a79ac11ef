package dev.lastcall.platform.lifecycle;

import dev.lastcall.platform.lifecycle.ComponentStop.Outcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Starts components phase by phase and stops only those that started, in reverse. A stop that
 * throws or overruns its deadline is logged and the next one still runs; errors are collected into
 * one {@link StopReport}. Stop is idempotent: a second caller waits for the first and gets its
 * report.
 */
@Singleton
public final class Lifecycle {

    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    /**
     * The order of a stop: which phases stop, in which order, each cutting by which deadline. The
     * shutdown sequence is one; {@link #stop(Deadline)} runs the plain reverse of the start.
     */
    @FunctionalInterface
    public interface StopPlan {
        void run(PhaseStops phases) throws InterruptedException;
    }

    /** Stops the components of one phase that are still running, last started first. */
    @FunctionalInterface
    public interface PhaseStops {
        void stop(Phase phase, Deadline deadline);
    }

    private record Registered(Phase phase, Managed component) {}

    private final List<Registered> components;
    /** Started and not yet stopped, in start order. */
    private final List<Registered> running = new ArrayList<>();
    private final List<LifecycleListener> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock transitions = new ReentrantLock();
    private volatile LifecycleState state = LifecycleState.NEW;
    private volatile boolean stopRequested;
    private volatile @Nullable Throwable failure;
    private @Nullable StopReport stopReport;

    @Inject
    public Lifecycle(Map<Phase, Set<Managed>> components) {
        this.components = components.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .flatMap(e -> e.getValue().stream().map(c -> new Registered(e.getKey(), c)))
                .toList();
    }

    public LifecycleState state() {
        return state;
    }

    public @Nullable Throwable failure() {
        return failure;
    }

    public void addListener(LifecycleListener listener) {
        listeners.add(listener);
    }

    /**
     * Starts every component in phase order. On failure the state is FAILED and the components
     * that did start are left for {@link #stop} to stop.
     *
     * @throws StartAborted when a stop was requested before or while it ran
     */
    public void start() throws Exception {
        transitions.lock();
        try {
            if (stopRequested) {
                throw new StartAborted();
            }
            if (state != LifecycleState.NEW) {
                throw new IllegalStateException("cannot start from " + state);
            }
            transition(LifecycleState.STARTING);
            long begin = System.nanoTime();
            for (Registered registered : components) {
                if (stopRequested) {
                    log.info("lifecycle: start aborted by a stop request after {} of {} components",
                            running.size(), components.size());
                    throw new StartAborted();
                }
                startOne(registered);
            }
            transition(LifecycleState.RUNNING);
            log.info("lifecycle: started {} components in {}", components.size(), Seconds.since(begin));
        } catch (StartAborted aborted) {
            throw aborted;
        } catch (Exception e) {
            failure = e;
            transition(LifecycleState.FAILED);
            throw e;
        } finally {
            transitions.unlock();
        }
    }

    private void startOne(Registered registered) throws Exception {
        Managed component = registered.component();
        long begin = System.nanoTime();
        log.info("{}: starting (phase {})", component.name(), registered.phase());
        try {
            component.start();
        } catch (Exception e) {
            log.error("{}: start failed after {}: {}", component.name(), Seconds.since(begin), e.toString());
            throw e;
        }
        running.add(registered);
        Duration took = since(begin);
        log.info("{}: started in {}", component.name(), Seconds.of(took));
        for (LifecycleListener listener : listeners) {
            try {
                listener.componentStarted(component, registered.phase(), took);
            } catch (RuntimeException e) {
                log.warn("lifecycle: listener {} failed on started {}", listener, component.name(), e);
            }
        }
    }

    /** Stops everything that started, last phase first, each component cutting by {@code deadline}. */
    public StopReport stop(Deadline deadline) {
        return stop(deadline, phases -> {
            for (Phase phase : List.of(Phase.values()).reversed()) {
                phases.stop(phase, deadline);
            }
        });
    }

    /**
     * Turns the state to STOPPING, runs {@code plan}, then turns it to STOPPED and reports what the
     * plan stopped. Components the plan leaves running stay running until {@link #stopRemaining}.
     * Safe to call from any thread, any number of times, also while {@link #start} runs: start then
     * gives up before its next component.
     *
     * @param end no component's stop is waited for past this (or {@link StopBudget#MIN_STOP_WAIT})
     */
    public StopReport stop(Deadline end, StopPlan plan) {
        stopRequested = true;
        transitions.lock();
        try {
            if (stopReport != null) {
                return stopReport;
            }
            if (state == LifecycleState.NEW) {
                transition(LifecycleState.STOPPED);
                stopReport = StopReport.nothingStarted();
                return stopReport;
            }
            boolean failedBefore = state == LifecycleState.FAILED;
            if (!failedBefore) {
                transition(LifecycleState.STOPPING);
            }
            long begin = System.nanoTime();
            List<ComponentStop> stops = new ArrayList<>();
            List<Throwable> errors = new ArrayList<>();
            try {
                plan.run((phase, deadline) -> stopPhase(phase, deadline, end, stops, errors));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                errors.add(e);
            }
            stopReport = new StopReport(stops, errors, Duration.ofNanos(System.nanoTime() - begin));
            if (!failedBefore) {
                transition(LifecycleState.STOPPED);
            }
            return stopReport;
        } finally {
            transitions.unlock();
        }
    }

    /**
     * Stops what a {@link #stop(Deadline, StopPlan) plan} left running, outside the report and
     * quietly (at DEBUG, listeners not told), so the report stays the stop's last word.
     */
    public void stopRemaining(Deadline deadline) {
        transitions.lock();
        try {
            List<Throwable> ignored = new ArrayList<>();
            for (Registered registered : List.copyOf(running).reversed()) {
                stopOne(registered, deadline, deadline, ignored, false);
            }
        } finally {
            transitions.unlock();
        }
    }

    /** Whether a component of {@code phase} started and has not been stopped. */
    public boolean running(Phase phase) {
        transitions.lock();
        try {
            return running.stream().anyMatch(r -> r.phase() == phase);
        } finally {
            transitions.unlock();
        }
    }

    private void stopPhase(Phase phase, Deadline deadline, Deadline end, List<ComponentStop> stops,
            List<Throwable> errors) {
        for (Registered registered : List.copyOf(running).reversed()) {
            if (registered.phase() == phase) {
                stops.add(stopOne(registered, deadline, end, errors, true));
            }
        }
    }

    private ComponentStop stopOne(Registered registered, Deadline deadline, Deadline end, List<Throwable> errors,
            boolean reported) {
        ComponentStop stop = stopAndWait(registered, deadline, end, errors, reported);
        for (LifecycleListener listener : reported ? listeners : List.<LifecycleListener>of()) {
            try {
                listener.componentStopped(stop);
            } catch (RuntimeException e) {
                log.warn("lifecycle: listener {} failed on stopped {}", listener, stop.name(), e);
            }
        }
        return stop;
    }

    private ComponentStop stopAndWait(Registered registered, Deadline deadline, Deadline end, List<Throwable> errors,
            boolean reported) {
        running.remove(registered);
        Managed component = registered.component();
        long begin = System.nanoTime();
        Level progress = reported ? Level.INFO : Level.DEBUG;
        log.atLevel(progress).log("{}: stopping, {} left", component.name(), Seconds.of(deadline.remaining()));
        for (LifecycleListener listener : reported ? listeners : List.<LifecycleListener>of()) {
            try {
                listener.componentStopping(component);
            } catch (RuntimeException e) {
                log.warn("lifecycle: listener {} failed on stopping {}", listener, component.name(), e);
            }
        }
        FutureTask<StopResult> task = new FutureTask<>(() -> component.stop(deadline));
        Thread.ofPlatform().name("stop-" + component.name()).daemon().start(task);
        try {
            long wait = Math.max(Math.max(end.remaining().toNanos(), deadline.remaining().toNanos()),
                    StopBudget.MIN_STOP_WAIT.toNanos());
            StopResult result = task.get(wait, TimeUnit.NANOSECONDS);
            Outcome outcome = result.complete() ? Outcome.COMPLETE : Outcome.CUT;
            log.atLevel(progress).log("{}: stopped in {}{}", component.name(), Seconds.since(begin),
                    result.summary().isEmpty() ? "" : " (" + result.summary() + ")");
            return new ComponentStop(component.name(), registered.phase(), since(begin), outcome, result.summary());
        } catch (TimeoutException e) {
            log.warn("{}: stop missed its deadline after {}; moving on without it",
                    component.name(), Seconds.since(begin));
            errors.add(new TimeoutException(component.name() + " missed its stop deadline"));
            return new ComponentStop(component.name(), registered.phase(), since(begin), Outcome.MISSED_DEADLINE, "");
        } catch (ExecutionException e) {
            log.error("{}: stop failed after {}", component.name(), Seconds.since(begin), e.getCause());
            errors.add(e.getCause());
            return new ComponentStop(component.name(), registered.phase(), since(begin), Outcome.FAILED,
                    String.valueOf(e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            errors.add(e);
            return new ComponentStop(component.name(), registered.phase(), since(begin), Outcome.FAILED, "interrupted");
        }
    }

    private void transition(LifecycleState to) {
        LifecycleState from = state;
        state = to;
        for (LifecycleListener listener : listeners) {
            try {
                listener.stateChanged(from, to);
            } catch (RuntimeException e) {
                log.warn("lifecycle: listener {} failed on {} -> {}", listener, from, to, e);
            }
        }
    }

    private static Duration since(long begin) {
        return Duration.ofNanos(System.nanoTime() - begin);
    }
}
