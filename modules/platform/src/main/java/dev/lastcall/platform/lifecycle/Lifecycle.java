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
     * Even with the budget spent (an earlier component hung), a component gets this long to stop, so
     * one that stops at once is not reported as having missed its deadline.
     */
    private static final Duration MIN_STOP_WAIT = Duration.ofMillis(100);

    private record Registered(Phase phase, Managed component) {}

    private final List<Registered> components;
    private final List<Registered> started = new ArrayList<>();
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
     * @throws StartAborted when a stop was requested meanwhile
     */
    public void start() throws Exception {
        transitions.lock();
        try {
            if (state != LifecycleState.NEW) {
                throw new IllegalStateException("cannot start from " + state);
            }
            transition(LifecycleState.STARTING);
            long begin = System.nanoTime();
            for (Registered registered : components) {
                if (stopRequested) {
                    log.info("lifecycle: start aborted by a stop request after {} of {} components",
                            started.size(), components.size());
                    throw new StartAborted();
                }
                startOne(registered);
            }
            transition(LifecycleState.RUNNING);
            log.info("lifecycle: started {} components in {}", components.size(), StopReport.seconds(since(begin)));
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
            log.error("{}: start failed after {}: {}", component.name(), StopReport.seconds(since(begin)), e.toString());
            throw e;
        }
        started.add(registered);
        log.info("{}: started in {}", component.name(), StopReport.seconds(since(begin)));
    }

    /**
     * Stops what started, last first, each within the deadline. Safe to call from any thread, any
     * number of times, also while {@link #start} runs: start then gives up before its next
     * component.
     */
    public StopReport stop(Deadline deadline) {
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
            for (Registered registered : started.reversed()) {
                stops.add(stopOne(registered, deadline, errors));
            }
            stopReport = new StopReport(stops, errors, since(begin));
            if (!failedBefore) {
                transition(LifecycleState.STOPPED);
            }
            return stopReport;
        } finally {
            transitions.unlock();
        }
    }

    private ComponentStop stopOne(Registered registered, Deadline deadline, List<Throwable> errors) {
        Managed component = registered.component();
        long begin = System.nanoTime();
        log.info("{}: stopping, {} left", component.name(), StopReport.seconds(deadline.remaining()));
        for (LifecycleListener listener : listeners) {
            try {
                listener.componentStopping(component.name(), registered.phase());
            } catch (RuntimeException e) {
                log.warn("lifecycle: listener {} failed on stopping {}", listener, component.name(), e);
            }
        }
        FutureTask<StopResult> task = new FutureTask<>(() -> {
            component.stop(deadline);
            return component.stopResult();
        });
        Thread.ofPlatform().name("stop-" + component.name()).daemon().start(task);
        try {
            StopResult result = task.get(Math.max(deadline.remaining().toNanos(), MIN_STOP_WAIT.toNanos()), TimeUnit.NANOSECONDS);
            Outcome outcome = result.complete() ? Outcome.COMPLETE : Outcome.CUT;
            log.info("{}: stopped in {}{}", component.name(), StopReport.seconds(since(begin)),
                    result.summary().isEmpty() ? "" : " (" + result.summary() + ")");
            return new ComponentStop(component.name(), registered.phase(), since(begin), outcome, result.summary());
        } catch (TimeoutException e) {
            log.warn("{}: stop missed its deadline after {}; moving on without it",
                    component.name(), StopReport.seconds(since(begin)));
            errors.add(new TimeoutException(component.name() + " missed its stop deadline"));
            return new ComponentStop(component.name(), registered.phase(), since(begin), Outcome.MISSED_DEADLINE, "");
        } catch (ExecutionException e) {
            log.error("{}: stop failed after {}", component.name(), StopReport.seconds(since(begin)), e.getCause());
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
