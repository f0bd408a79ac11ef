package dev.lastcall.platform.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.Phase;
import dev.lastcall.platform.lifecycle.StopResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdNotificationsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Duration UNTESTED_PROGRESS_INTERVAL = Duration.ofSeconds(1);
    private static final int STALLED_TICKS = 12;

    @TempDir
    Path dir;

    /** A component that does nothing but can be told how to stop and what it says while it stops. */
    private record Component(String name, Stop stop, Supplier<String> status) implements Managed {

        interface Stop {
            void run() throws Exception;
        }

        static Component quiet(String name) {
            return new Component(name, () -> {}, () -> "stopping " + name);
        }

        static Component draining(LongSupplier inFlight, Stop stop) {
            return new Component("http", stop, () -> "draining: %d %s in flight".formatted(
                    inFlight.getAsLong(), inFlight.getAsLong() == 1 ? "request" : "requests"));
        }

        @Override
        public void start() {}

        @Override
        public StopResult stop(Deadline deadline) throws Exception {
            stop.run();
            return StopResult.complete("");
        }

        @Override
        public String stopStatus() {
            return status.get();
        }
    }

    private static final class FailStart implements Managed {
        @Override
        public void start() {
            throw new IllegalStateException("port 8080 in use");
        }

        @Override
        public StopResult stop(Deadline deadline) {
            return StopResult.complete("");
        }
    }

    @Test
    void announcesStartReadyStoppingEachComponentAndStopped() throws Exception {
        try (DatagramReceiver systemd = DatagramReceiver.atPath(dir.resolve("notify"))) {
            Lifecycle lifecycle = new Lifecycle(Map.of(
                    Phase.DATABASE, Set.of(Component.quiet("database")),
                    Phase.HTTP, Set.of(Component.draining(() -> 12, () -> {}))));
            SystemdNotifications notifications = following(lifecycle, systemd);

            notifications.attach();
            lifecycle.start();
            notifications.ready("ready: http on port 8080, admin on port 8081");
            // the shutdown sequence's first step
            notifications.stopping();
            lifecycle.stop(Deadline.after(WAIT));

            assertThat(systemd.drain(QUIET)).containsExactly(
                    "STATUS=starting",
                    "READY=1\nSTATUS=ready: http on port 8080, admin on port 8081",
                    "STOPPING=1\nSTATUS=stopping",
                    "STATUS=draining: 12 requests in flight",
                    "STATUS=stopping database",
                    "STATUS=stopped");
        }
    }

    @Test
    void aStatusIsToldWhileRunningAndNotOnceTheStopBegan() throws Exception {
        try (DatagramReceiver systemd = DatagramReceiver.atPath(dir.resolve("notify"))) {
            Lifecycle lifecycle = new Lifecycle(Map.of(Phase.DATABASE, Set.of(Component.quiet("database"))));
            SystemdNotifications notifications = following(lifecycle, systemd);

            notifications.attach();
            notifications.status("before start");
            lifecycle.start();
            notifications.ready("ready");
            notifications.status("database unreachable since now: refused");
            notifications.status("ready");
            notifications.stopping();
            notifications.status("database unreachable since then: refused");
            lifecycle.stop(Deadline.after(WAIT));

            assertThat(systemd.drain(QUIET)).containsExactly(
                    "STATUS=starting",
                    "READY=1\nSTATUS=ready",
                    "STATUS=database unreachable since now: refused",
                    "STATUS=ready",
                    "STOPPING=1\nSTATUS=stopping",
                    "STATUS=stopping database",
                    "STATUS=stopped");
        }
    }

    @Test
    void aHandoversSuccessorSaysNothingBeforeItTookOverAndSoNeverStopsTheServiceBeforeThat() throws Exception {
        try (DatagramReceiver systemd = DatagramReceiver.atPath(dir.resolve("notify"))) {
            Lifecycle stoppedBefore = new Lifecycle(Map.of(Phase.DATABASE, Set.of(Component.quiet("database"))));
            SystemdNotifications notifications = following(stoppedBefore, systemd);
            notifications.silentUntilTakeover();
            notifications.attach();
            stoppedBefore.start();
            notifications.stopping();
            stoppedBefore.stop(Deadline.after(WAIT));

            assertThat(systemd.drain(QUIET)).isEmpty();

            Lifecycle tookOver = new Lifecycle(Map.of(Phase.DATABASE, Set.of(Component.quiet("database"))));
            SystemdNotifications successor = following(tookOver, systemd);
            successor.silentUntilTakeover();
            successor.attach();
            tookOver.start();
            successor.tookOver();
            successor.ready("ready");
            successor.stopping();
            tookOver.stop(Deadline.after(WAIT));

            assertThat(systemd.drain(QUIET)).containsExactly(
                    "READY=1\nSTATUS=ready",
                    "STOPPING=1\nSTATUS=stopping",
                    "STATUS=stopping database",
                    "STATUS=stopped");
        }
    }

    @Test
    void tellsWhyTheStartFailed() {
        try (DatagramReceiver systemd = DatagramReceiver.atPath(dir.resolve("notify"))) {
            Lifecycle lifecycle = new Lifecycle(Map.of(Phase.HTTP, Set.of(new FailStart())));
            SystemdNotifications notifications = following(lifecycle, systemd);

            notifications.attach();
            assertThatThrownBy(lifecycle::start).hasMessage("port 8080 in use");

            assertThat(systemd.drain(QUIET)).containsExactly("STATUS=starting", "STATUS=failed: port 8080 in use");
        }
    }

    @Test
    void extendsTheStopTimeoutWhileTheDrainMovesAndNotOnceItStalls() throws Exception {
        Duration tick = Duration.ofMillis(200);
        AtomicLong inFlight = new AtomicLong(5);
        List<Long> changedAt = new ArrayList<>();
        Component draining = Component.draining(inFlight::get, () -> {
            for (long left = 4; left >= 1; left--) {
                Thread.sleep(tick.multipliedBy(3).dividedBy(2));
                inFlight.set(left);
            }
            changedAt.add(System.nanoTime());
            Thread.sleep(tick.multipliedBy(STALLED_TICKS));
        });
        try (DatagramReceiver systemd = DatagramReceiver.atPath(dir.resolve("notify"))) {
            Lifecycle lifecycle = new Lifecycle(Map.of(Phase.HTTP, Set.of(draining)));
            SystemdNotifications notifications = new SystemdNotifications(notifier(systemd), lifecycle,
                    Optional.empty(), tick);
            notifications.attach();
            lifecycle.start();

            List<Long> extendedAt = new ArrayList<>();
            List<String> extensions = new ArrayList<>();
            Thread stop = Thread.ofPlatform().start(() -> {
                notifications.stopping();
                lifecycle.stop(Deadline.after(WAIT));
            });
            for (Optional<String> next = systemd.next(WAIT); next.isPresent() && !next.get().equals("STATUS=stopped");
                    next = systemd.next(WAIT)) {
                if (next.get().contains("EXTEND_TIMEOUT_USEC=")) {
                    extendedAt.add(System.nanoTime());
                    extensions.add(next.get());
                }
            }
            stop.join();

            assertThat(extensions).isNotEmpty().allSatisfy(message -> assertThat(message)
                    .matches("STATUS=draining: [1-5] requests? in flight\nEXTEND_TIMEOUT_USEC=600000"));
            long lastChange = changedAt.getFirst();
            // the tick after the last change reports it (late, on a busy machine); later ticks see no progress
            assertThat(extendedAt).allSatisfy(at -> assertThat(at - lastChange).isLessThan(tick.multipliedBy(5).toNanos()));
        }
    }

    @Test
    void pingsTheWatchdogUntilTheLifecycleFails() {
        try (DatagramReceiver systemd = DatagramReceiver.atPath(dir.resolve("notify"))) {
            Lifecycle lifecycle = new Lifecycle(Map.of(Phase.HTTP, Set.of(new FailStart())));
            SystemdNotifications notifications = new SystemdNotifications(notifier(systemd), lifecycle,
                    Optional.of(Duration.ofMillis(50)), UNTESTED_PROGRESS_INTERVAL);

            notifications.attach();
            assertThat(systemd.next(WAIT)).contains("WATCHDOG=1");
            assertThat(systemd.next(WAIT)).contains("WATCHDOG=1");
            assertThatThrownBy(lifecycle::start).isInstanceOf(IllegalStateException.class);

            List<String> afterFailure = systemd.drain(QUIET);
            assertThat(afterFailure).contains("STATUS=failed: port 8080 in use");
            assertThat(afterFailure.subList(afterFailure.indexOf("STATUS=failed: port 8080 in use"), afterFailure.size()))
                    .doesNotContain("WATCHDOG=1");
        }
    }

    /** Notifications of {@code lifecycle} to {@code systemd}, without a watchdog, its stop's progress not under test. */
    private static SystemdNotifications following(Lifecycle lifecycle, DatagramReceiver systemd) {
        return new SystemdNotifications(notifier(systemd), lifecycle, Optional.empty(), UNTESTED_PROGRESS_INTERVAL);
    }

    private static Notifier notifier(DatagramReceiver systemd) {
        return Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address()));
    }
}
