package dev.lastcall.platform.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import dev.lastcall.platform.lifecycle.ComponentStop.Outcome;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LifecycleTest {

    private static final Duration GENEROUS = Duration.ofSeconds(10);

    /** Every start and stop, in the order they happened, as "start:name" and "stop:name". */
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> toRelease = new ArrayList<>();
    private final ListAppender<ILoggingEvent> lifecycleLog = new ListAppender<>();

    @AfterEach
    void releaseHangingComponentsAndLog() {
        toRelease.forEach(CountDownLatch::countDown);
        ((Logger) LoggerFactory.getLogger(Lifecycle.class)).detachAppender(lifecycleLog);
    }

    @Test
    void startsPhasesInOrderAndStopsThemInReverse() throws Exception {
        Lifecycle lifecycle = lifecycleOf(Map.of(
                Phase.HTTP, List.of(recording("http")),
                Phase.DATABASE, List.of(recording("database")),
                Phase.WORKERS, List.of(recording("workers"))));

        lifecycle.start();
        assertThat(lifecycle.state()).isEqualTo(LifecycleState.RUNNING);
        StopReport report = lifecycle.stop(Deadline.after(GENEROUS));

        assertThat(events).containsExactly(
                "start:database", "start:workers", "start:http",
                "stop:http", "stop:workers", "stop:database");
        assertThat(lifecycle.state()).isEqualTo(LifecycleState.STOPPED);
        assertThat(report.complete()).isTrue();
        assertThat(report.components()).extracting(ComponentStop::name, ComponentStop::phase).containsExactly(
                tuple("http", Phase.HTTP),
                tuple("workers", Phase.WORKERS),
                tuple("database", Phase.DATABASE));
    }

    @Test
    void guiceRegistrationsAreOrderedByPhaseWhateverTheModuleOrder() throws Exception {
        Module web = binderModule(b -> b.manage(Phase.HTTP, recording("http")));
        Module data = binderModule(b -> b
                .manage(Phase.WORKERS, RecordingWorker.class)
                .manage(Phase.DATABASE, recording("database")));

        for (List<Module> modules : List.of(List.of(web, data), List.of(data, web))) {
            events.clear();
            Lifecycle lifecycle = Guice.createInjector(eventsModule(), modules.get(0), modules.get(1))
                    .getInstance(Lifecycle.class);
            lifecycle.start();
            lifecycle.stop(Deadline.after(GENEROUS));

            assertThat(events).containsExactly(
                    "start:database", "start:worker", "start:http",
                    "stop:http", "stop:worker", "stop:database");
        }
    }

    @Test
    void aComponentBoundByClassIsTheInstanceWhoeverInjectsItGets() {
        Injector injector = Guice.createInjector(eventsModule(),
                binderModule(b -> b.manage(Phase.WORKERS, RecordingWorker.class)));

        Map<Phase, Set<Managed>> registered = injector.getInstance(new Key<Map<Phase, Set<Managed>>>() {});

        assertThat(registered.get(Phase.WORKERS)).singleElement()
                .isSameAs(injector.getInstance(RecordingWorker.class));
    }

    @Test
    void stopsOnlyComponentsThatStartedWhenStartFailsHalfWay() {
        FailingStart broken = new FailingStart("broken", new IllegalStateException("port in use"));
        Lifecycle lifecycle = lifecycleOf(Map.of(
                Phase.DATABASE, List.of(recording("database-a"), recording("database-b")),
                Phase.WORKERS, List.of(broken),
                Phase.HTTP, List.of(recording("http"))));

        assertThatThrownBy(lifecycle::start).isSameAs(broken.cause);
        assertThat(lifecycle.state()).isEqualTo(LifecycleState.FAILED);
        assertThat(lifecycle.failure()).isSameAs(broken.cause);

        StopReport report = lifecycle.stop(Deadline.after(GENEROUS));

        assertThat(events).containsExactly(
                "start:database-a", "start:database-b", "start:broken",
                "stop:database-b", "stop:database-a");
        assertThat(report.components()).extracting(ComponentStop::name).containsExactly("database-b", "database-a");
        assertThat(lifecycle.state()).isEqualTo(LifecycleState.FAILED);
        assertThat(lifecycle.failure()).isSameAs(broken.cause);
    }

    @Test
    void aStopThatThrowsIsCollectedOnceAndTheNextStopStillRuns() {
        ThrowingStop throwing = new ThrowingStop("throwing", new IllegalStateException("flush failed"));
        Lifecycle lifecycle = lifecycleOf(Map.of(
                Phase.DATABASE, List.of(recording("database")),
                Phase.HTTP, List.of(throwing)));
        lifecycleLog.start();
        ((Logger) LoggerFactory.getLogger(Lifecycle.class)).addAppender(lifecycleLog);

        startQuietly(lifecycle);
        StopReport report = lifecycle.stop(Deadline.after(GENEROUS));
        StopReport again = lifecycle.stop(Deadline.after(GENEROUS));

        assertThat(events).containsExactly("start:database", "start:throwing", "stop:throwing", "stop:database");
        assertThat(report.errors()).containsExactly(throwing.cause);
        assertThat(again).isSameAs(report);
        assertThat(report.complete()).isFalse();
        assertThat(report.components()).extracting(ComponentStop::name, ComponentStop::outcome).containsExactly(
                tuple("throwing", Outcome.FAILED),
                tuple("database", Outcome.COMPLETE));
        assertThat(lifecycleLog.list)
                .filteredOn(e -> e.getThrowableProxy() != null)
                .singleElement()
                .satisfies(e -> assertThat(e.getThrowableProxy().getMessage()).isEqualTo("flush failed"));
        assertThat(lifecycle.state()).isEqualTo(LifecycleState.STOPPED);
    }

    @Test
    void aStopThatOverrunsItsDeadlineIsLeftBehindAndTheNextStopStillRuns() {
        HangingStop hanging = new HangingStop("hanging");
        toRelease.add(hanging.release);
        Lifecycle lifecycle = lifecycleOf(Map.of(
                Phase.DATABASE, List.of(recording("database")),
                Phase.HTTP, List.of(hanging)));
        startQuietly(lifecycle);

        long begin = System.nanoTime();
        StopReport report = lifecycle.stop(Deadline.after(Duration.ofMillis(300)));
        Duration took = Duration.ofNanos(System.nanoTime() - begin);

        assertThat(took).isBetween(Duration.ofMillis(250), Duration.ofMillis(1500));
        assertThat(report.components()).first().satisfies(c -> {
            assertThat(c.name()).isEqualTo("hanging");
            assertThat(c.outcome()).isEqualTo(Outcome.MISSED_DEADLINE);
        });
        assertThat(report.errors()).anySatisfy(e -> assertThat(e).hasMessageContaining("hanging"));
        assertThat(report.complete()).isFalse();
        await().atMost(Duration.ofSeconds(2)).until(() -> events.contains("stop:database"));
        assertThat(hanging.stopping.getCount()).isZero();
        assertThat(lifecycle.state()).isEqualTo(LifecycleState.STOPPED);
    }

    @Test
    void stopCalledTwiceStopsEachComponentOnceAndReturnsTheSameReport() {
        Lifecycle lifecycle = lifecycleOf(Map.of(
                Phase.DATABASE, List.of(recording("database")),
                Phase.HTTP, List.of(recording("http"))));
        startQuietly(lifecycle);

        StopReport first = lifecycle.stop(Deadline.after(GENEROUS));
        StopReport second = lifecycle.stop(Deadline.after(GENEROUS));

        assertThat(second).isSameAs(first);
        assertThat(events).containsExactly("start:database", "start:http", "stop:http", "stop:database");
    }

    @Test
    void stopCalledFromTwoThreadsAtOnceStopsEachComponentOnceAndBothGetTheSameReport() throws Exception {
        SlowStop slow = new SlowStop("slow", Duration.ofMillis(300));
        Lifecycle lifecycle = lifecycleOf(Map.of(
                Phase.DATABASE, List.of(recording("database")),
                Phase.HTTP, List.of(slow)));
        startQuietly(lifecycle);

        CyclicBarrier together = new CyclicBarrier(2);
        try (ExecutorService callers = Executors.newFixedThreadPool(2)) {
            Future<StopReport> a = callers.submit(() -> {
                together.await();
                return lifecycle.stop(Deadline.after(GENEROUS));
            });
            Future<StopReport> b = callers.submit(() -> {
                together.await();
                return lifecycle.stop(Deadline.after(GENEROUS));
            });

            assertThat(a.get(5, TimeUnit.SECONDS)).isSameAs(b.get(5, TimeUnit.SECONDS));
        }
        assertThat(events).containsExactly("start:database", "start:slow", "stop:slow", "stop:database");
        assertThat(lifecycle.state()).isEqualTo(LifecycleState.STOPPED);
    }

    @Test
    void aStopDuringStartAbortsStartBeforeTheNextComponentAndStopsWhatStarted() throws Exception {
        BlockingStart blocking = new BlockingStart("blocking");
        toRelease.add(blocking.release);
        Lifecycle lifecycle = lifecycleOf(Map.of(
                Phase.DATABASE, List.of(recording("database")),
                Phase.WORKERS, List.of(blocking),
                Phase.HTTP, List.of(recording("http"))));

        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Future<Throwable> start = threads.submit(() -> {
                try {
                    lifecycle.start();
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            assertThat(blocking.starting.await(5, TimeUnit.SECONDS)).isTrue();

            List<Thread> stopper = new CopyOnWriteArrayList<>();
            Future<StopReport> stop = threads.submit(() -> {
                stopper.add(Thread.currentThread());
                return lifecycle.stop(Deadline.after(GENEROUS));
            });
            // The stop has asked start to give up once it is waiting for the running start.
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> !stopper.isEmpty() && stopper.getFirst().getState() == Thread.State.WAITING);
            blocking.release.countDown();

            assertThat(start.get(5, TimeUnit.SECONDS)).isInstanceOf(StartAborted.class);
            StopReport report = stop.get(5, TimeUnit.SECONDS);
            assertThat(report.components()).extracting(ComponentStop::name).containsExactly("blocking", "database");
        }
        assertThat(events).containsExactly("start:database", "start:blocking", "stop:blocking", "stop:database");
        assertThat(lifecycle.state()).isEqualTo(LifecycleState.STOPPED);
    }

    @Test
    void listenersSeeEveryTransitionOnce() {
        Lifecycle lifecycle = lifecycleOf(Map.of(Phase.HTTP, List.of(recording("http"))));
        List<String> seen = new CopyOnWriteArrayList<>();
        lifecycle.addListener((from, to) -> {
            throw new BrokenListener();
        });
        lifecycle.addListener((from, to) -> seen.add(from + "->" + to));

        startQuietly(lifecycle);
        lifecycle.stop(Deadline.after(GENEROUS));
        lifecycle.stop(Deadline.after(GENEROUS));

        assertThat(seen).containsExactly("NEW->STARTING", "STARTING->RUNNING", "RUNNING->STOPPING", "STOPPING->STOPPED");
    }

    @Test
    void listenersSeeAFailedStartAndNoSelfTransitionOnTheStopAfterIt() {
        Lifecycle lifecycle = lifecycleOf(Map.of(
                Phase.DATABASE, List.of(recording("database")),
                Phase.HTTP, List.of(new FailingStart("broken", new IllegalStateException("no")))));
        List<String> seen = new CopyOnWriteArrayList<>();
        lifecycle.addListener((from, to) -> seen.add(from + "->" + to));

        assertThatThrownBy(lifecycle::start).hasMessage("no");
        lifecycle.stop(Deadline.after(GENEROUS));

        assertThat(seen).containsExactly("NEW->STARTING", "STARTING->FAILED");
        assertThat(events).containsExactly("start:database", "start:broken", "stop:database");
    }

    @Test
    void aStopBeforeStartStopsNothingAndStartIsThenRefused() {
        Lifecycle lifecycle = lifecycleOf(Map.of(Phase.HTTP, List.of(recording("http"))));

        StopReport report = lifecycle.stop(Deadline.after(GENEROUS));

        assertThat(report.components()).isEmpty();
        assertThat(report.complete()).isTrue();
        assertThat(lifecycle.state()).isEqualTo(LifecycleState.STOPPED);
        assertThatThrownBy(lifecycle::start).isInstanceOf(StartAborted.class);
        assertThat(events).isEmpty();
    }

    @Test
    void aStopThatCutsWorkMakesTheReportIncomplete() {
        Managed cutting = new RecordingComponent("cutting", events) {
            @Override
            public StopResult stop(Deadline deadline) throws Exception {
                super.stop(deadline);
                return StopResult.cut("1 request cut");
            }
        };
        Lifecycle lifecycle = lifecycleOf(Map.of(Phase.HTTP, List.of(cutting)));
        startQuietly(lifecycle);

        StopReport report = lifecycle.stop(Deadline.after(GENEROUS));

        assertThat(report.complete()).isFalse();
        assertThat(report.errors()).isEmpty();
        assertThat(report.components()).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(Outcome.CUT);
            assertThat(c.summary()).isEqualTo("1 request cut");
        });
        assertThat(report.summary()).contains("cutting").contains("cut (1 request cut)");
    }

    // ---- fakes ----

    /** Thrown by a listener; without a stack trace, to keep the test log short. */
    static final class BrokenListener extends RuntimeException {
        BrokenListener() {
            super("a broken listener must not stop the others", null, false, false);
        }
    }

    /** Records its start and stop; does nothing else. */
    static class RecordingComponent implements Managed {
        private final String name;
        private final List<String> events;

        RecordingComponent(String name, List<String> events) {
            this.name = name;
            this.events = events;
        }

        @Override
        public void start() throws Exception {
            events.add("start:" + name);
        }

        @Override
        public StopResult stop(Deadline deadline) throws Exception {
            events.add("stop:" + name);
            return StopResult.complete("");
        }

        @Override
        public String name() {
            return name;
        }
    }

    /** Bound by class through Guice, to exercise {@code ManagedBinder.manage(phase, Class)}. */
    static final class RecordingWorker extends RecordingComponent {
        @Inject
        RecordingWorker(List<String> events) {
            super("worker", events);
        }
    }

    /** Its start throws. */
    final class FailingStart extends RecordingComponent {
        final Exception cause;

        FailingStart(String name, Exception cause) {
            super(name, events);
            this.cause = cause;
        }

        @Override
        public void start() throws Exception {
            super.start();
            throw cause;
        }
    }

    /** Its stop throws. */
    final class ThrowingStop extends RecordingComponent {
        final Exception cause;

        ThrowingStop(String name, Exception cause) {
            super(name, events);
            this.cause = cause;
        }

        @Override
        public StopResult stop(Deadline deadline) throws Exception {
            super.stop(deadline);
            throw cause;
        }
    }

    /** Its stop ignores the deadline and waits until the test releases it. */
    final class HangingStop extends RecordingComponent {
        final CountDownLatch stopping = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        HangingStop(String name) {
            super(name, events);
        }

        @Override
        public StopResult stop(Deadline deadline) throws Exception {
            super.stop(deadline);
            stopping.countDown();
            release.await();
            return StopResult.complete("");
        }
    }

    /** Its stop takes a while, well within the deadline. */
    final class SlowStop extends RecordingComponent {
        private final Duration takes;

        SlowStop(String name, Duration takes) {
            super(name, events);
            this.takes = takes;
        }

        @Override
        public StopResult stop(Deadline deadline) throws Exception {
            super.stop(deadline);
            Thread.sleep(takes);
            return StopResult.complete("");
        }
    }

    /** Its start waits until the test releases it. */
    final class BlockingStart extends RecordingComponent {
        final CountDownLatch starting = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        BlockingStart(String name) {
            super(name, events);
        }

        @Override
        public void start() throws Exception {
            super.start();
            starting.countDown();
            release.await();
        }
    }

    // ---- helpers ----

    private RecordingComponent recording(String name) {
        return new RecordingComponent(name, events);
    }

    private static Lifecycle lifecycleOf(Map<Phase, List<? extends Managed>> components) {
        Map<Phase, Set<Managed>> byPhase = new EnumMap<>(Phase.class);
        components.forEach((phase, list) -> byPhase.put(phase, new LinkedHashSet<>(list)));
        return new Lifecycle(byPhase);
    }

    private static void startQuietly(Lifecycle lifecycle) {
        try {
            lifecycle.start();
        } catch (Exception e) {
            throw new AssertionError("start failed", e);
        }
    }

    private Module eventsModule() {
        return new AbstractModule() {
            @Override
            protected void configure() {
                bind(new com.google.inject.TypeLiteral<List<String>>() {}).toInstance(events);
            }
        };
    }

    private static Module binderModule(java.util.function.Consumer<ManagedBinder> registrations) {
        return new AbstractModule() {
            @Override
            protected void configure() {
                registrations.accept(ManagedBinder.of(binder()));
            }
        };
    }
}
