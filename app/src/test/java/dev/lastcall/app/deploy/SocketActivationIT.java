package dev.lastcall.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.app.deploy.ProbeClients.Result;
import dev.lastcall.app.deploy.SocketParent.Notification;
import dev.lastcall.platform.process.ReloadOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar on a socket that a parent process holds, as systemd's socket unit does: taken from
 * fd 3 (LISTEN_FDS) or stdin (StandardInput=socket), told to systemd with READY=1 and STOPPING=1,
 * and restarted under steady connection attempts without refusing one; a reload's successor says
 * nothing to systemd until it took over.
 */
class SocketActivationIT {

    private static final int CLIENTS = 4;
    private static final int RESTARTS = 3;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** One restart, in System.nanoTime(): SIGTERM sent, old process gone, new process ready. */
    private record Gap(long stoppedAt, long exitedAt, long readyAt) {}

    @Test
    void restartsOnTheSocketPassedOnFd3WithoutRefusingAConnection() throws Exception {
        restartUnderConnections("fd3", "@lastcall-it-" + UUID.randomUUID(),
                "using the listening socket systemd passed on fd 3 (LISTEN_FDS)");
    }

    @Test
    void restartsOnTheSocketPassedOnStdinWithoutRefusingAConnection() throws Exception {
        restartUnderConnections("stdin", dir.resolve("notify.sock").toString(),
                "using the listening socket systemd passed on stdin (StandardInput=socket)");
    }

    @Test
    void refusesToStartWhenThePassedSocketDoesNotListen() throws Exception {
        try (SocketParent parent = SocketParent.start(dir, dir.resolve("notify.sock").toString(), settings())) {
            long pid = parent.startJar("fd3-not-listening");
            int status = parent.awaitJarExit();

            assertThat(status).as("exit status: configuration error").isEqualTo(2);
            assertThat(Files.readString(parent.log(1)))
                    .contains("socket activation: systemd passed fd 3 (LISTEN_FDS), but it is a stream socket that is not listening")
                    .doesNotContain("http: listening");
            assertThat(parent.notificationsFrom(pid)).isEmpty();
        }
    }

    /**
     * With NotifyAccess=all systemd takes any process's STOPPING=1 as the service's stop: a reload's
     * successor stopped before it took over must say nothing, and the old process goes on serving.
     */
    @Test
    void aSuccessorStoppedBeforeItTookOverSaysNothingToSystemd() throws Exception {
        Map<String, String> settings = new HashMap<>(settings());
        settings.put("LASTCALL_HTTP_WARM_UP", "60s");
        try (SocketParent parent = SocketParent.start(dir, dir.resolve("notify.sock").toString(), settings)) {
            long pid = startAndAwaitReady(parent, "fd3");
            assertThat(parent.hup()).isEqualTo(pid);
            parent.awaitNotification(pid, message -> message.startsWith("RELOADING=1"), START_TIMEOUT);
            long successor = Long.parseLong(awaitLine(parent.log(1), "handover: successor started as pid (\\d+)").group(1));
            awaitLine(parent.log(1), "http: warming up for [0-9.]+s before saying ready");

            ProcessHandle.of(successor).orElseThrow().destroy();

            parent.awaitNotification(pid, message -> message.startsWith("READY=1\nSTATUS=ready; the last reload failed: "),
                    START_TIMEOUT);
            assertThat(parent.notificationsFrom(successor)).as("what the successor told systemd").isEmpty();
            assertThat(parent.notificationsFrom(pid)).extracting(Notification::message)
                    .noneMatch(message -> message.contains("STOPPING=1") || message.contains("MAINPID="));
            ProbeClients probe = ProbeClients.start(parent.port(), 1);
            probe.awaitAnswers(3);
            assertThat(probe.stop()).as("the old process serves on").allMatch(Result::answered);
            assertThat(ReloadOutcome.fileOf(pid)).as("an outcome file for a reload nobody asked about").doesNotExist();
            assertThat(parent.stopJar()).isZero();
            assertThat(parent.notificationsFrom(pid)).extracting(Notification::message).contains("STOPPING=1\nSTATUS=stopping");
        }
    }

    /**
     * systemd listens to the watchdog pings of the process WATCHDOG_PID names; a reload's successor
     * must ping once it is the main process, at once, since the old one's last ping may be most of
     * WatchdogSec ago, or systemd kills the service after a reload.
     */
    @Test
    void aSuccessorPingsTheWatchdogAsItTakesOver() throws Exception {
        Map<String, String> settings = new HashMap<>(settings());
        settings.put("WATCHDOG_USEC", "20000000"); // a ping every 10 s
        try (SocketParent parent = SocketParent.start(dir, dir.resolve("notify.sock").toString(), settings)) {
            long pid = startAndAwaitReady(parent, "fd3");
            parent.awaitNotification(pid, "WATCHDOG=1"::equals, START_TIMEOUT);
            assertThat(parent.hup()).isEqualTo(pid);
            long successor = Long.parseLong(awaitLine(parent.log(1), "handover: successor started as pid (\\d+)").group(1));
            parent.awaitNotification(successor, message -> message.startsWith("READY=1"), START_TIMEOUT);
            assertThat(parent.notificationsFrom(successor)).extracting(Notification::message)
                    .as("the successor's first datagrams: a ping as it takes over (none before), then READY=1")
                    .satisfies(messages -> {
                        assertThat(messages.get(0)).isEqualTo("WATCHDOG=1");
                        assertThat(messages.get(1)).startsWith("READY=1");
                    });
            assertThat(parent.waitFor(pid)).as("the old process's exit status").isZero();
            int status = parent.stopJar();
            assertThat(status).as("the successor's exit status; log:%n%s", Files.readString(parent.log(1))).isZero();
        }
    }

    private static Matcher awaitLine(Path log, String regex) throws Exception {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher matcher = pattern.matcher(Files.readString(log));
            if (matcher.find()) {
                return matcher;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line matching " + regex + " in " + log + ":\n" + Files.readString(log));
    }

    private void restartUnderConnections(String mode, String notifySocket, String sourceLogged) throws Exception {
        try (SocketParent parent = SocketParent.start(dir, notifySocket, settings())) {
            List<Long> pids = new ArrayList<>();
            pids.add(startAndAwaitReady(parent, mode));
            ProbeClients clients = ProbeClients.start(parent.port(), CLIENTS);
            List<Gap> gaps = new ArrayList<>();
            List<Integer> exitStatuses = new ArrayList<>();
            for (int restart = 0; restart < RESTARTS; restart++) {
                clients.awaitAnswers(20);
                long stoppedAt = System.nanoTime();
                exitStatuses.add(parent.stopJar());
                long exitedAt = System.nanoTime();
                pids.add(startAndAwaitReady(parent, mode));
                gaps.add(new Gap(stoppedAt, exitedAt, System.nanoTime()));
            }
            clients.awaitAnswers(20);
            List<Result> results = clients.stop();
            exitStatuses.add(parent.stopJar());

            long origin = results.stream().mapToLong(Result::startedAt).min().orElse(0);
            List<String> failed = results.stream().filter(r -> !r.answered())
                    .map(r -> "%d..%d ms: %s".formatted(ms(r.startedAt() - origin), ms(r.endedAt() - origin), r.failure()))
                    .toList();
            List<String> restarts = gaps.stream().map(g -> "SIGTERM %d, exited %d, ready %d ms".formatted(
                    ms(g.stoppedAt() - origin), ms(g.exitedAt() - origin), ms(g.readyAt() - origin))).toList();
            assertThat(failed).as("requests refused, reset or unanswered, of %d; restarts: %s", results.size(), restarts)
                    .isEmpty();
            assertThat(results.stream().map(Result::statusLine).collect(Collectors.toSet()))
                    .as("every request reached Jetty (no routes yet: a 404 problem)")
                    .containsOnly("HTTP/1.1 404 Not Found");
            for (Gap gap : gaps) {
                assertThat(results).as("requests that waited in the backlog while no process accepted")
                        .anySatisfy(r -> assertThat(r.startedAt() < gap.readyAt() && r.endedAt() > gap.exitedAt()).isTrue());
            }
            assertThat(exitStatuses).as("each stop drained cleanly").containsOnly(0);
            for (int i = 0; i < pids.size(); i++) {
                long pid = pids.get(i);
                assertThat(parent.notificationsFrom(pid)).extracting(Notification::message)
                        .contains("STOPPING=1\nSTATUS=stopping", "STATUS=stopped")
                        .anySatisfy(message -> assertThat(message).startsWith("READY=1\nSTATUS=ready: http on port " + parent.port()));
                String log = Files.readString(parent.log(i + 1));
                assertThat(log).contains(sourceLogged).contains("http: listening on 127.0.0.1:" + parent.port());
                // the report comes after the inherited listener closed: the log must survive that close
                assertThat(log.strip().lines().toList().getLast()).contains("stopped in").endsWith("; exit 0");
            }
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static long startAndAwaitReady(SocketParent parent, String mode) throws InterruptedException {
        long pid = parent.startJar(mode);
        parent.awaitNotification(pid, message -> message.startsWith("READY=1"), START_TIMEOUT);
        return pid;
    }

    private Map<String, String> settings() {
        return Map.of(
                "LASTCALL_ADMIN_PORT", "0",
                "LASTCALL_STATE_DIR", dir.resolve("state").toString());
    }
}
