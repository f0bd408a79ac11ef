package dev.lastcall.app.load;

import dev.lastcall.app.ServiceProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Kills the real jar with SIGKILL at random moments (during its start, under load, during its
 * drain) and starts it again as systemd's {@code Restart=on-failure} would, restarting PostgreSQL a
 * few times in between, while keep-alive clients send transfers and a webhook receiver takes the
 * deliveries. After every round and at the end it checks DESIGN.md's invariants. Used by {@code
 * ChaosIT} (asserts) and {@code ./lastcall bench chaos} (prints).
 */
public final class ChaosHarness {

    /** Where in its life the service is killed. */
    public enum Moment { START, LOAD, DRAIN }

    private static final Duration DRAIN_DELAY = Duration.ofSeconds(1);
    /** Generous: on a shared 2-core machine under a load of 30, a start has taken over a minute. */
    private static final Duration READY_WITHIN = Duration.ofMinutes(5);
    private static final Duration EVENTS_DELIVERED_WITHIN = Duration.ofSeconds(90);

    /** What the run did and found. */
    public record Result(
            int kills,
            Map<Moment, Integer> killsByMoment,
            int databaseRestarts,
            int clients,
            Duration ran,
            long requests,
            Map<String, Integer> failuresByKind,
            List<Duration> timesToReady,
            List<String> startProblems,
            List<String> roundViolations,
            LedgerInvariants.Report ledger,
            long orphanRows,
            long eventsNotDelivered) {

        public String summary() {
            List<Long> ready = timesToReady.stream().map(Duration::toMillis).sorted().toList();
            return ("chaos: %d kills %s, %d PostgreSQL restarts, %d clients, %d requests in %.0f s; failures by kind %s; "
                    + "time to ready after a kill p50 %.2f s, max %.2f s; %d starts that needed help; "
                    + "%d round checks failed; %s; %d orphan rows; %d events not delivered")
                    .formatted(kills, killsByMoment, databaseRestarts, clients, requests, ran.toMillis() / 1000.0,
                            failuresByKind, ready.isEmpty() ? 0 : ready.get(ready.size() / 2) / 1000.0,
                            ready.isEmpty() ? 0 : ready.getLast() / 1000.0, startProblems.size(),
                            roundViolations.size(), ledger.summary(), orphanRows, eventsNotDelivered);
        }
    }

    private final Path work;
    private final int kills;
    private final int databaseRestarts;
    private final int clients;
    private final Random random;

    public ChaosHarness(Path work, int kills, int databaseRestarts, int clients, long seed) {
        this.work = work;
        this.kills = kills;
        this.databaseRestarts = databaseRestarts;
        this.clients = clients;
        this.random = new Random(seed);
    }

    public Result run() throws Exception {
        try (RestartablePostgres postgres = RestartablePostgres.start(work.resolve("postgres"));
                WebhookReceiver receiver = WebhookReceiver.start()) {
            Service service = new Service(postgres.jdbcUrl());
            service.start();
            RestartHarness.prepare(service.port, receiver);
            long begin = System.nanoTime();
            Map<Moment, Integer> byMoment = new TreeMap<>();
            List<Duration> timesToReady = new ArrayList<>();
            List<String> startProblems = new ArrayList<>();
            List<String> roundViolations = new ArrayList<>();
            int restartsDone = 0;
            LoadClients load = LoadClients.start(service.port, clients, RestartHarness.ACCOUNTS, RestartHarness.CURRENCY);
            try {
                for (int round = 1; round <= kills; round++) {
                    Thread.sleep(500 + random.nextInt(1500));
                    Moment moment = Moment.values()[random.nextInt(Moment.values().length)];
                    byMoment.merge(moment, 1, Integer::sum);
                    service.kill(moment);
                    service.startAfterKill(timesToReady, startProblems);
                    String restarted = "";
                    if (restartsDone < databaseRestarts && round * (databaseRestarts + 1L) / kills > restartsDone) {
                        Thread.sleep(500 + random.nextInt(1000));
                        postgres.restart();
                        restartsDone++;
                        restarted = ", PostgreSQL restarted";
                        Thread.sleep(1000);
                    }
                    LedgerInvariants.Report report = check(postgres.jdbcUrl(), load.acknowledged());
                    report.violations().forEach(v -> roundViolations.add("after kill " + v));
                    System.out.printf("chaos round %d/%d: killed %s, ready again in %.2f s%s; %d requests, %d failures; %s%n",
                            round, kills, moment, timesToReady.getLast().toMillis() / 1000.0, restarted, load.requests(),
                            load.failures().size(), report.violations().isEmpty() ? "invariants hold" : report.violations());
                }
                Thread.sleep(1000);
            } finally {
                load.close();
            }
            Duration ran = Duration.ofNanos(System.nanoTime() - begin);
            try (Connection db = DriverManager.getConnection(postgres.jdbcUrl(), "postgres", "")) {
                long notDelivered = EventDeliveries.awaitAllDelivered(db, receiver, EVENTS_DELIVERED_WITHIN);
                LedgerInvariants.Report ledger = LedgerInvariants.check(db, load.acknowledged());
                long orphans = orphanRows(db);
                service.stop();
                return new Result(kills, byMoment, restartsDone, clients, ran, load.requests(), failuresByKind(load.failures()),
                        timesToReady, startProblems, roundViolations, ledger, orphans, notDelivered);
            }
        }
    }

    private static LedgerInvariants.Report check(String jdbcUrl, Map<String, Long> acknowledged) throws SQLException {
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            return LedgerInvariants.check(db, acknowledged);
        }
    }

    /**
     * Rows no foreign key guards: deliveries of events that do not exist, entries and keys of transfers
     * the ledger does not hold are kept out by their foreign keys, and counted here too in case one is dropped.
     */
    private static long orphanRows(Connection db) throws SQLException {
        try (Statement sql = db.createStatement(); ResultSet rows = sql.executeQuery("""
                SELECT (SELECT count(*) FROM webhook_deliveries d
                        WHERE NOT EXISTS (SELECT 1 FROM outbox_events e WHERE e.event_id = d.event_id))
                     + (SELECT count(*) FROM ledger_entry n
                        WHERE NOT EXISTS (SELECT 1 FROM ledger_transfer t WHERE t.id = n.transfer_id))
                     + (SELECT count(*) FROM outbox_pending p
                        WHERE NOT EXISTS (SELECT 1 FROM outbox_events e WHERE e.id = p.event))""")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Each failure a client saw, by kind: an HTTP status, or what happened to the connection. */
    static Map<String, Integer> failuresByKind(List<LoadClients.Failure> failures) {
        Map<String, Integer> kinds = new TreeMap<>();
        for (LoadClients.Failure failure : failures) {
            kinds.merge(kind(failure.what()), 1, Integer::sum);
        }
        return kinds;
    }

    private static String kind(String what) {
        if (what.startsWith("HTTP ")) {
            return what.substring(0, Math.min(what.length(), 8));
        }
        if (what.startsWith(ConnectException.class.getName())) {
            return "connection refused";
        }
        if (what.startsWith(SocketTimeoutException.class.getName())) {
            return "timeout";
        }
        return "connection lost";
    }

    /** The one service instance, on fixed ports, killed and started again in place. */
    private final class Service {
        private final String jdbcUrl;
        private final int port;
        private final int adminPort;
        private final Path state;
        private ServiceProcess process;
        private int starts;

        Service(String jdbcUrl) throws IOException {
            this.jdbcUrl = jdbcUrl;
            this.port = RestartHarness.freePort();
            this.adminPort = RestartHarness.freePort();
            this.state = Files.createDirectories(work.resolve("state"));
        }

        ServiceProcess spawn() throws IOException {
            ServiceProcess.Builder builder = ServiceProcess.builder().quiet().label("chaos-" + ++starts).stateDir(state)
                    .env("LASTCALL_HTTP_PORT", Integer.toString(port))
                    .env("LASTCALL_ADMIN_PORT", Integer.toString(adminPort));
            RestartHarness.serviceEnvironment(jdbcUrl).forEach(builder::env);
            builder.env("LASTCALL_HTTP_DRAIN_DELAY", DRAIN_DELAY.toMillis() + "ms");
            // a start on a machine under a load of 30 has taken 12 s to reach the database
            builder.env("LASTCALL_DB_CONNECT_TIMEOUT", "30s");
            return builder.start();
        }

        void start() throws IOException, InterruptedException {
            process = spawn();
            process.awaitReady(READY_WITHIN);
        }

        void kill(Moment moment) throws Exception {
            switch (moment) {
                case LOAD -> killNow();
                case DRAIN -> {
                    process.signal("TERM");
                    Thread.sleep(random.nextInt((int) DRAIN_DELAY.toMillis() + 500));
                    killNow();
                }
                case START -> {
                    killNow();
                    process = spawn();
                    Thread.sleep(random.nextInt(1500));
                    killNow();
                }
            }
        }

        private void killNow() throws IOException, InterruptedException {
            if (process.isAlive()) {
                process.signal("KILL");
            }
            process.awaitExit(Duration.ofSeconds(30));
        }

        /** Starts as systemd would after the kill: the same command, no repair; records the time to ready. */
        void startAfterKill(List<Duration> timesToReady, List<String> problems) throws IOException, InterruptedException {
            long begin = System.nanoTime();
            process = spawn();
            try {
                process.awaitLine("ready in ", READY_WITHIN);
            } catch (AssertionError e) {
                problems.add("start " + starts + " did not become ready: " + e.getMessage());
                process.close();
                process = spawn();
                process.awaitReady(READY_WITHIN);
            }
            timesToReady.add(Duration.ofNanos(System.nanoTime() - begin));
        }

        void stop() throws IOException, InterruptedException {
            process.signal("TERM");
            process.awaitExit(Duration.ofSeconds(60));
        }
    }
}
