package dev.lastcall.app.load;

import dev.lastcall.app.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hot handovers (SIGHUP) of the real jar under load: one instance on a socket held as systemd's
 * socket unit holds it, keep-alive clients connected directly (no Nginx), each reload a SIGHUP
 * to the main process, which starts its successor and hands it the sockets. Records each
 * reload's window (SIGHUP to the old process's exit), the sd_notify messages, the latencies
 * inside the windows and outside them, then checks DESIGN.md's invariants. Used by {@code
 * ReloadUnderLoadIT} (asserts) and {@code ./lastcall bench restarts N C reload} (prints).
 */
public final class ReloadHarness {

    private static final Duration STEADY_BETWEEN = Duration.ofSeconds(1);
    private static final Duration EVENTS_DELIVERED_WITHIN = Duration.ofSeconds(90);
    private static final Duration ADMIN_PROBE_EVERY = Duration.ofMillis(100);

    /** What a run measured and what the database held afterwards. */
    public record Result(int reloads, int clients, long requests, List<LoadClients.Failure> failures,
            double[] steadyMillis, double[] windowMillis, List<SocketHolder.Handover> handovers, List<Duration> windows, List<Duration> toReady,
            List<Integer> exitStatuses, List<String> protocolViolations, long adminProbes, long adminFailures,
            LedgerInvariants.Report ledger, long eventsNotDelivered, List<LoadClients.Timing> slowestInWindows) {

        public String summary() {
            List<Double> windowSeconds = windows.stream().map(d -> d.toMillis() / 1000.0).sorted().toList();
            List<Double> readySeconds = toReady.stream().map(d -> d.toMillis() / 1000.0).sorted().toList();
            return ("reload (hot handover) on a held socket, direct clients: %d reloads, %d clients, %d requests, %d failures; "
                    + "latency steady p50 %.1f ms, p99 %.1f ms, max %.1f ms; inside reload windows p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
                    + "SIGHUP to successor ready median %.2f s, max %.2f s; window (SIGHUP to old exit) median %.2f s, max %.2f s; "
                    + "old exit statuses %s; %d sd_notify order violations; admin probes %d, %d failed; %s; %d events not delivered")
                    .formatted(reloads, clients, requests, failures.size(), steadyMillis[0], steadyMillis[1], steadyMillis[2],
                            windowMillis[0], windowMillis[1], windowMillis[2], median(readySeconds), last(readySeconds),
                            median(windowSeconds), last(windowSeconds), new HashSet<>(exitStatuses), protocolViolations.size(),
                            adminProbes, adminFailures, ledger.summary(), eventsNotDelivered);
        }

        /** Each failure placed on the handovers' timelines: a failure's cause shows in when it happened. */
        public String failureTimeline() {
            StringBuilder timeline = new StringBuilder();
            for (LoadClients.Failure failure : failures) {
                timeline.append("\n  sent ").append(placed(failure.sentNanos())).append(", failed ")
                        .append(placed(failure.atNanos())).append(": ").append(failure.what());
            }
            return timeline.toString();
        }

        /** The slowest request of the slowest windows, each placed on its handover's timeline. */
        public String slowestTimeline() {
            StringBuilder timeline = new StringBuilder();
            for (LoadClients.Timing request : slowestInWindows) {
                timeline.append("\n  %.0f ms, %s, sent ".formatted(request.nanos() / 1e6, request.what()))
                        .append(placed(request.beginNanos()));
            }
            return timeline.toString();
        }

        private String placed(long nanos) {
            SocketHolder.Handover nearest = null;
            for (SocketHolder.Handover handover : handovers) {
                if (handover.beganNanos() <= nanos) {
                    nearest = handover;
                }
            }
            if (nearest == null) {
                return "before the first reload";
            }
            return "%+.3f s after reload %d's SIGHUP (pid %d to %d; successor ready at %+.3f s, old exited at %+.3f s)"
                    .formatted(seconds(nanos - nearest.beganNanos()), handovers.indexOf(nearest) + 1, nearest.oldPid(),
                            nearest.newPid(), seconds(nearest.readyNanos() - nearest.beganNanos()),
                            seconds(nearest.exitedNanos() - nearest.beganNanos()));
        }

        private static double seconds(long nanos) {
            return nanos / 1e9;
        }

        private static double median(List<Double> sorted) {
            return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
        }

        private static double last(List<Double> sorted) {
            return sorted.isEmpty() ? 0 : sorted.getLast();
        }
    }

    private static final int SLOWEST_SHOWN = 5;
    private static final String WARM_UP = "LASTCALL_HTTP_WARM_UP";

    private final Path work;
    private final int reloads;
    private final int clients;

    public ReloadHarness(Path work, int reloads, int clients) {
        this.work = work;
        this.reloads = reloads;
        this.clients = clients;
    }

    public Result run() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(work.resolve("postgres")).setCleanDataDirectory(true).start();
                WebhookReceiver receiver = WebhookReceiver.start()) {
            String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            Map<String, String> environment = new HashMap<>(RestartHarness.serviceEnvironment(jdbcUrl));
            int adminPort = RestartHarness.freePort();
            environment.put("LASTCALL_ADMIN_PORT", Integer.toString(adminPort));
            environment.put("LASTCALL_STATE_DIR", Files.createDirectories(work.resolve("state-reload")).toString());
            // LASTCALL_HTTP_WARM_UP=0s in the benchmark's environment shows the reloads without the successor's warm-up
            Optional.ofNullable(System.getenv(WARM_UP)).ifPresent(value -> environment.put(WARM_UP, value));
            try (SocketHolder holder = SocketHolder.start(ServiceProcess.java(), ServiceProcess.jar(),
                    Files.createDirectories(work.resolve("reload-logs")), environment)) {
                holder.startAndAwaitReady();
                RestartHarness.prepare(holder.port(), receiver);
                List<long[]> windows = new ArrayList<>();
                List<SocketHolder.Handover> handovers = new ArrayList<>();
                List<Duration> toReady = new ArrayList<>();
                List<Integer> exits = new ArrayList<>();
                List<String> violations = new ArrayList<>();
                AdminProbe admin = new AdminProbe(adminPort);
                LoadClients load = LoadClients.start(holder.port(), clients, RestartHarness.ACCOUNTS, RestartHarness.CURRENCY);
                try (admin) {
                    Thread.sleep(STEADY_BETWEEN);
                    for (int i = 0; i < reloads; i++) {
                        SocketHolder.Handover handover = holder.handOver();
                        handovers.add(handover);
                        windows.add(new long[] {handover.beganNanos(), handover.exitedNanos()});
                        toReady.add(Duration.ofNanos(handover.readyNanos() - handover.beganNanos()));
                        exits.add(handover.oldExitStatus());
                        violations.addAll(protocolViolations(handover));
                        Thread.sleep(STEADY_BETWEEN);
                    }
                } finally {
                    load.close();
                }
                // checked while the last successor runs: it delivers the events the load left in its outbox
                Result result = check(jdbcUrl, load, handovers, windows, toReady, exits, violations, admin, receiver);
                holder.stop();
                return result;
            }
        }
    }

    /** RELOADING=1 and then MAINPID=<successor> from the old process, then READY=1 from the successor; no STOPPING=1. */
    static List<String> protocolViolations(SocketHolder.Handover handover) {
        List<String> notes = handover.notifications();
        String old = handover.oldPid() + " ";
        String successor = handover.newPid() + " ";
        int reloading = indexOf(notes, old, "RELOADING=1");
        int mainPid = indexOf(notes, old, "MAINPID=" + handover.newPid());
        int ready = indexOf(notes, successor, "READY=1");
        List<String> violations = new ArrayList<>();
        if (reloading < 0 || mainPid < 0 || ready < 0 || !(reloading < mainPid && mainPid < ready)) {
            violations.add("expected RELOADING=1, MAINPID=%d (from %d), then READY=1 (from %d), got %s"
                    .formatted(handover.newPid(), handover.oldPid(), handover.newPid(), notes));
        }
        if (notes.stream().anyMatch(note -> note.contains("STOPPING=1"))) {
            violations.add("STOPPING=1 during a handover: " + notes);
        }
        if (mainPid >= 0 && notes.subList(mainPid + 1, notes.size()).stream().anyMatch(note -> note.startsWith(old))) {
            violations.add("the old process spoke to systemd after MAINPID moved: " + notes);
        }
        return violations;
    }

    private static int indexOf(List<String> notes, String sender, String message) {
        for (int i = 0; i < notes.size(); i++) {
            if (notes.get(i).startsWith(sender) && notes.get(i).contains(message)) {
                return i;
            }
        }
        return -1;
    }

    private Result check(String jdbcUrl, LoadClients load, List<SocketHolder.Handover> handovers, List<long[]> windows, List<Duration> toReady, List<Integer> exits,
            List<String> violations, AdminProbe admin, WebhookReceiver receiver) throws SQLException, InterruptedException {
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            LedgerInvariants.Report ledger = LedgerInvariants.check(db, load.acknowledged());
            long notDelivered = EventDeliveries.awaitAllDelivered(db, receiver, EVENTS_DELIVERED_WITHIN);
            return new Result(reloads, clients, load.requests(), load.failures(),
                    LoadClients.percentilesMillis(load.latenciesMicros(windows, false)),
                    LoadClients.percentilesMillis(load.latenciesMicros(windows, true)), handovers,
                    windows.stream().map(w -> Duration.ofNanos(w[1] - w[0])).toList(), toReady, exits, violations,
                    admin.probes.get(), admin.failures.get(), ledger, notDelivered, load.slowestPerWindow(windows, SLOWEST_SHOWN));
        }
    }

    /** Asks the admin port's /health/live every 100 ms: it must answer throughout the handovers. */
    private static final class AdminProbe implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong probes = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private final Thread thread;

        AdminProbe(int port) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest live = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
                    .timeout(Duration.ofSeconds(10)).build();
            thread = Thread.ofPlatform().daemon().name("admin-probe").start(() -> {
                while (running.get()) {
                    probes.incrementAndGet();
                    try {
                        if (http.send(live, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                            failures.incrementAndGet();
                        }
                        Thread.sleep(ADMIN_PROBE_EVERY);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(Duration.ofSeconds(15));
        }
    }
}
