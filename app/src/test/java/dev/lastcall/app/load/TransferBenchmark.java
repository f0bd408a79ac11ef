package dev.lastcall.app.load;

import dev.lastcall.app.BenchmarkArguments;
import dev.lastcall.app.BenchmarkDirectory;
import dev.lastcall.app.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Prints (asserts nothing) how many transfers per second the real jar commits, with p50 and p99
 * latency, at 16 and 64 keep-alive clients, next to what the same PostgreSQL (fsync on) allows:
 * {@code pgbench} running the service's own transaction ({@code transfer.sql}) at 16 and 64
 * clients, and the floor ({@code floor.sql}: a transfer as two balance updates and one insert, one
 * transaction each) at 1, 4, 16 and 64 clients, between random pairs of accounts (uniform) and with
 * every transfer debiting the same account (hot). The best floor is the most transfers a second the
 * database commits one transaction each; the service's group commit ({@code ledger.batch}) puts
 * several into one, so it may pass it.
 *
 * <p>Two services run on the same database, one with {@code metrics.enabled=false} and {@code
 * http.accessLog=false}, and one with both on while its {@code /metrics} is scraped every {@link
 * #SCRAPE_INTERVAL}, measured in alternating quarters at each point (A B B A): the two side by side are what
 * watching the service costs. Then, at each point, the service without metrics with every transfer
 * debiting {@code world} (hot), and both services loaded at once, half the clients each.
 *
 * <p>Around every point it reads PostgreSQL's commits ({@code pg_stat_database}) and WAL syncs
 * ({@code pg_stat_wal}) and prints them per second and per transfer acknowledged: how many
 * transfers share a commit and a WAL flush. A last table sets the service against the best floors.
 * Then it checks the ledger invariants over everything acknowledged ({@code floor.sql}'s transfers,
 * which have no entries, are taken out again before).
 *
 * <p>Run with {@code ./lastcall bench transfers [DURATION_SECONDS] [WARM_UP_SECONDS]} (20 by
 * default, per point, after a warm-up of {@value #WARM_UP_SECONDS} s for each service: about eight
 * minutes in all).
 */
public final class TransferBenchmark {

    private static final List<Integer> CLIENTS = List.of(16, 64);
    private static final List<Integer> FLOOR_CLIENTS = List.of(1, 4, 16, 64);
    private static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
    private static final String CURRENCY = "EUR";
    private static final int ACCOUNTS = 10;
    private static final long OPENING_BALANCE = 1_000_000_000_000L;
    /** May go negative ({@link #openAccounts} opens it so): the account every hot transfer of the service debits. */
    private static final String HOT_ACCOUNT = "world";
    /** floor.sql's hot transfers all debit account base+1. */
    private static final String FLOOR_HOT_ACCOUNT = "bench-1";
    private static final Pattern BATCHES = Pattern.compile("(?m)^lastcall_ledger_transfers_batch_size_count(?:\\{[^}]*})? (\\S+)");
    private static final Pattern BATCHED_TRANSFERS = Pattern.compile("(?m)^lastcall_ledger_transfers_batch_size_sum(?:\\{[^}]*})? (\\S+)");

    /** One measured point: transfers per second, latency, what went wrong, and what PostgreSQL counted meanwhile. */
    private record Point(int clients, double tps, double p50Millis, double p99Millis, long failures, DatabaseActivity database) {
        String line() {
            return "%5.0f tps, p50 %6.2f ms, p99 %6.2f ms, %d failed".formatted(tps, p50Millis, p99Millis, failures);
        }

        String databaseLine() {
            return "  database: " + database.line(tps) + " (background work commits too)";
        }
    }

    /** Starts load clients on one service. */
    private interface Traffic {
        LoadClients start(int port, int clients);
    }

    private static final String USAGE = "./lastcall bench transfers [DURATION_SECONDS] [WARM_UP_SECONDS]";
    /**
     * Long enough for the JIT to settle: from a fresh start at 16 clients the service's rate rose
     * for about 30 s (8 s chunks: 861, 1,417, 1,566, 1,691, then 1,660-1,780) while C2 was still
     * recompiling, and measuring earlier timed the compiler, not the service.
     */
    private static final int WARM_UP_SECONDS = 40;

    private TransferBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchmarkArguments arguments = new BenchmarkArguments(USAGE, args, 2);
        Duration duration = Duration.ofSeconds(arguments.positive(0, "DURATION_SECONDS", 20));
        Duration warmUp = Duration.ofSeconds(arguments.positive(1, "WARM_UP_SECONDS", WARM_UP_SECONDS));
        BenchmarkDirectory work = BenchmarkDirectory.create("lastcall-bench-transfers");
        try {
            run(work.path(), duration, warmUp);
        } finally {
            work.delete();
        }
    }

    private static void run(Path work, Duration duration, Duration warmUp) throws Exception {
        List<String> accounts = IntStream.rangeClosed(1, ACCOUNTS).mapToObj(i -> "bench-" + i).toList();
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(work.resolve("postgres")).setCleanDataDirectory(true)
                // Durable, as the jar's own embedded server runs: a commit waits for its WAL flush.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "200")
                .start()) {
            String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
                System.out.printf("transfers: %s, %d s per point after %d s warm-up, %d accounts; PostgreSQL %s on port %d "
                                + "(fsync on, synchronous_commit on); %d cores%n",
                        ServiceProcess.jar(), duration.toSeconds(), warmUp.toSeconds(), ACCOUNTS,
                        db.getMetaData().getDatabaseProductVersion(), postgres.getPort(),
                        Runtime.getRuntime().availableProcessors());
                System.out.printf("points: the services at %s clients (metrics off and on in turn, then hot, then both at once); "
                                + "pgbench transfer.sql at %s; pgbench floor.sql at %s, uniform and hot%n",
                        CLIENTS, CLIENTS, FLOOR_CLIENTS);
                Measured measured = measureServices(work, jdbcUrl, db, accounts, duration, warmUp);
                List<Point> service = measured.on();
                List<Point> withoutMetrics = measured.off();
                List<Point> pgbench = List.of();
                Floor floor = new Floor(List.of(), List.of());
                Optional<Pgbench> runner = Pgbench.find(postgres.getPort(), work, duration);
                if (runner.isPresent()) {
                    long base = accountIdBase(db);
                    pgbench = measureTransferScript(runner.get(), db, base, duration);
                    floor = measureFloor(runner.get(), db, base, duration);
                }
                LedgerInvariants.Report ledger = LedgerInvariants.check(db, measured.acknowledged());
                System.out.println("ledger after both: " + ledger.summary() + "; invariants broken: "
                        + (ledger.violations().isEmpty() ? "none" : ledger.violations()));
                System.out.println();
                System.out.println("clients | service (POST /v1/transfers)                      | pgbench (transfer.sql)                            | service/pgbench");
                for (int i = 0; i < CLIENTS.size(); i++) {
                    Point s = service.get(i);
                    Point p = i < pgbench.size() ? pgbench.get(i) : null;
                    System.out.printf("%7d | %-49s | %-49s | %s%n", s.clients(), s.line(), p == null ? "not run" : p.line(),
                            p == null || p.tps() == 0 ? "-" : "%.2f".formatted(s.tps() / p.tps()));
                }
                System.out.println();
                System.out.printf("clients | metrics+access log on (scraped every %ds)       | both off                                          | on/off: tps, p50, p99%n",
                        SCRAPE_INTERVAL.toSeconds());
                for (int i = 0; i < CLIENTS.size(); i++) {
                    Point on = service.get(i);
                    Point off = withoutMetrics.get(i);
                    System.out.printf("%7d | %-49s | %-49s | %.3f, %.3f, %.3f%n", on.clients(), on.line(), off.line(),
                            on.tps() / off.tps(), on.p50Millis() / off.p50Millis(), on.p99Millis() / off.p99Millis());
                }
                printFloor(floor);
                printPerCommit(measured);
                printSummary(measured, floor);
            }
        }
    }

    private static void printFloor(Floor floor) {
        System.out.println();
        System.out.printf("clients | floor.sql, uniform                                | floor.sql, hot (every transfer from %s)%n", FLOOR_HOT_ACCOUNT);
        for (int i = 0; i < FLOOR_CLIENTS.size(); i++) {
            System.out.printf("%7d | %-49s | %s%n", FLOOR_CLIENTS.get(i), lineOrNotRun(floor.uniform(), i), lineOrNotRun(floor.hot(), i));
        }
        System.out.printf("best floor: uniform %s, hot %s%n", best(floor.uniform()), best(floor.hot()));
    }

    private static String lineOrNotRun(List<Point> points, int i) {
        return i < points.size() ? points.get(i).line() : "not run";
    }

    private static String best(List<Point> points) {
        return Floor.best(points).map(p -> "%.0f tps (%s)".formatted(p.tps(), clients(p.clients()))).orElse("not run");
    }

    private static String clients(int clients) {
        return clients == 1 ? "1 client" : clients + " clients";
    }

    private static void printPerCommit(Measured measured) {
        System.out.println();
        System.out.println("transfers per commit and per WAL sync (PostgreSQL's counts for the database and the server: "
                + "the services' background work commits too)");
        System.out.println("clients | service point                     |   tps | commits/s | WAL syncs/s | transfers/commit | transfers/WAL sync");
        for (int i = 0; i < CLIENTS.size(); i++) {
            printPerCommit("metrics off, uniform", measured.off().get(i));
            printPerCommit("metrics on, uniform", measured.on().get(i));
            printPerCommit("metrics off, hot (all from " + HOT_ACCOUNT + ")", measured.hot().get(i));
            printPerCommit("both at once, uniform", measured.both().get(i));
        }
    }

    private static void printPerCommit(String what, Point point) {
        DatabaseActivity database = point.database();
        System.out.printf("%7d | %-33s | %5.0f | %9.0f | %11.0f | %16.2f | %18.2f%n", point.clients(), what, point.tps(),
                database.commitsPerSecond(), database.walSyncsPerSecond(), database.transfersPerCommit(point.tps()),
                database.transfersPerWalSync(point.tps()));
    }

    private static void printSummary(Measured measured, Floor floor) {
        Optional<Point> bestUniform = Floor.best(floor.uniform());
        Optional<Point> bestHot = Floor.best(floor.hot());
        System.out.println();
        System.out.println("summary: the service with metrics and access log off, against the best floor.sql rate at any number of clients");
        System.out.println("clients | uniform tps | /floor | hot tps | /floor | p99 uniform | transfers/commit | both at once tps");
        for (int i = 0; i < CLIENTS.size(); i++) {
            Point uniform = measured.off().get(i);
            Point hot = measured.hot().get(i);
            System.out.printf("%7d | %11.0f | %6s | %7.0f | %6s | %8.2f ms | %16.2f | %16.0f%n", uniform.clients(), uniform.tps(),
                    ratio(uniform, bestUniform), hot.tps(), ratio(hot, bestHot), uniform.p99Millis(),
                    uniform.database().transfersPerCommit(uniform.tps()), measured.both().get(i).tps());
        }
    }

    private static String ratio(Point point, Optional<Point> floor) {
        return floor.filter(f -> f.tps() > 0).map(f -> "%.2f".formatted(point.tps() / f.tps())).orElse("-");
    }

    /** The services' points: metrics off and on (uniform), hot (metrics off), and both at once (uniform). */
    private record Measured(List<Point> off, List<Point> on, List<Point> hot, List<Point> both, Map<String, Long> acknowledged) {}

    /**
     * Runs two services on the same database, one with metrics off and one with metrics on (its
     * {@code /metrics} scraped all along), and measures them one after the other at each point, so
     * that both see the same machine: it is shared, and its load drifts. Then the one without
     * metrics on a hot account, and both at once.
     */
    private static Measured measureServices(Path work, String jdbcUrl, Connection db, List<String> accounts,
            Duration duration, Duration warmUp) throws Exception {
        Traffic uniform = (port, clients) -> LoadClients.transfersBetween(port, clients, accounts, CURRENCY);
        Traffic hot = (port, clients) -> LoadClients.transfersFrom(port, clients, HOT_ACCOUNT, accounts, CURRENCY);
        List<Point> off = new ArrayList<>();
        List<Point> on = new ArrayList<>();
        List<Point> hotOff = new ArrayList<>();
        List<Point> both = new ArrayList<>();
        Map<String, Long> acknowledged = new HashMap<>();
        try (ServiceProcess withoutMetrics = service(work, jdbcUrl, false);
                ServiceProcess withMetrics = service(work, jdbcUrl, true)) {
            openAccounts(withoutMetrics.httpPort(), accounts);
            System.out.printf("services: pid %d (metrics and access log off), pid %d (metrics and access log on), pools of %s connections; warming up ...%n",
                    withoutMetrics.pid(), withMetrics.pid(),
                    withMetrics.awaitLine("pool of (\\d+) connections", Duration.ofSeconds(5)).group(1));
            try (Scraper scraper = Scraper.start(withMetrics.adminPort())) {
                new Rounds(CLIENTS.getFirst(), uniform).add(db, warmUp, acknowledged, withoutMetrics.httpPort());
                new Rounds(CLIENTS.getFirst(), uniform).add(db, warmUp, acknowledged, withMetrics.httpPort());
                for (int clients : CLIENTS) {
                    Point[] pair = alternating(db, withoutMetrics.httpPort(), withMetrics.httpPort(), clients, uniform, duration,
                            acknowledged);
                    System.out.printf("service (metrics and access log off), %d clients: %s%n", clients, pair[0].line());
                    System.out.println(pair[0].databaseLine());
                    System.out.printf("service (metrics and access log on), %d clients: %s%n", clients, pair[1].line());
                    System.out.println(pair[1].databaseLine());
                    off.add(pair[0]);
                    on.add(pair[1]);
                }
                for (int clients : CLIENTS) {
                    Point point = measure(db, hot, clients, duration, acknowledged, withoutMetrics.httpPort());
                    System.out.printf("service (metrics and access log off), hot: every transfer from %s, %d clients: %s%n",
                            HOT_ACCOUNT, clients, point.line());
                    System.out.println(point.databaseLine());
                    hotOff.add(point);
                }
                for (int clients : CLIENTS) {
                    Point point = measure(db, uniform, clients, duration, acknowledged, withoutMetrics.httpPort(),
                            withMetrics.httpPort());
                    System.out.printf("both services at once (metrics off, metrics on: %d clients each), %d clients: %s%n",
                            clients / 2, clients, point.line());
                    System.out.println(point.databaseLine());
                    both.add(point);
                }
                System.out.printf("service (metrics on): /metrics scraped %d times, %d bytes the last time%n",
                        scraper.scrapes(), scraper.lastBytes());
                System.out.println("service (metrics on), all its run: " + batches(withMetrics.adminPort()));
            }
            withoutMetrics.terminate();
            withMetrics.terminate();
            System.out.printf("services stopped: exit %d, %d%n", withoutMetrics.awaitExit(Duration.ofSeconds(60)),
                    withMetrics.awaitExit(Duration.ofSeconds(60)));
        }
        return new Measured(off, on, hotOff, both, acknowledged);
    }

    /**
     * Measures two services in four quarters, A B B A, so that a drift of the machine or of the
     * database (tables and indexes grow as the run goes) weighs on both alike.
     */
    private static Point[] alternating(Connection db, int portA, int portB, int clients, Traffic traffic,
            Duration duration, Map<String, Long> acknowledged) throws Exception {
        Duration quarter = duration.dividedBy(4);
        Rounds a = new Rounds(clients, traffic);
        Rounds b = new Rounds(clients, traffic);
        for (int port : new int[] {portA, portB, portB, portA}) {
            checkpoint(db);
            (port == portA ? a : b).add(db, quarter, acknowledged, port);
        }
        return new Point[] {a.point(), b.point()};
    }

    /** One point after a checkpoint: {@code clients} split evenly across the services on {@code ports}, all loaded at once. */
    private static Point measure(Connection db, Traffic traffic, int clients, Duration duration, Map<String, Long> acknowledged,
            int... ports) throws Exception {
        checkpoint(db);
        Rounds rounds = new Rounds(clients, traffic);
        rounds.add(db, duration, acknowledged, ports);
        return rounds.point();
    }

    /** Several measured rounds at one number of clients, summed into one point. */
    private static final class Rounds {
        private final int clients;
        private final Traffic traffic;
        private final List<long[]> latencies = new ArrayList<>();
        private double seconds;
        private long acknowledged;
        private long failures;
        private DatabaseActivity database = DatabaseActivity.NONE;

        Rounds(int clients, Traffic traffic) {
            this.clients = clients;
            this.traffic = traffic;
        }

        /** One round: the clients, split evenly across the services on {@code ports}, for {@code duration}. */
        void add(Connection db, Duration duration, Map<String, Long> allAcknowledged, int... ports)
                throws SQLException, InterruptedException {
            DatabaseActivity.Counters before = DatabaseActivity.Counters.read(db);
            long begin = System.nanoTime();
            List<LoadClients> loads = Arrays.stream(ports).mapToObj(port -> traffic.start(port, clients / ports.length)).toList();
            try {
                Thread.sleep(duration);
            } finally {
                for (LoadClients load : loads) {
                    load.close();
                }
            }
            double elapsed = (System.nanoTime() - begin) / 1e9;
            seconds += elapsed;
            database = database.plus(DatabaseActivity.since(before, db, elapsed));
            for (LoadClients load : loads) {
                acknowledged += load.acknowledged().size();
                allAcknowledged.putAll(load.acknowledged());
                failures += load.failures().size();
                latencies.add(load.latenciesMicros());
                load.failures().stream().limit(5).forEach(f -> System.out.println("  failure: " + f.what()));
            }
        }

        Point point() {
            double[] latency = LoadClients.percentilesMillis(
                    latencies.stream().flatMapToLong(Arrays::stream).toArray());
            return new Point(clients, acknowledged / seconds, latency[0], latency[1], failures, database);
        }
    }

    /** The service's own count of the batches its group commit committed, and their mean size. */
    private static String batches(int adminPort) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher batches = BATCHES.matcher(metrics);
            Matcher transfers = BATCHED_TRANSFERS.matcher(metrics);
            if (!batches.find() || !transfers.find()) {
                return "no lastcall_ledger_transfers_batch_size in its /metrics";
            }
            double count = Double.parseDouble(batches.group(1));
            return "lastcall_ledger_transfers_batch_size: %.0f batches, %.2f transfers each on average".formatted(
                    count, Double.parseDouble(transfers.group(1)) / count);
        }
    }

    private static ServiceProcess service(Path work, String jdbcUrl, boolean metrics) throws Exception {
        String name = metrics ? "metrics-on" : "metrics-off";
        return ServiceProcess.builder().quiet().label(name).stateDir(work.resolve("state-" + name))
                .env("LASTCALL_DB_URL", jdbcUrl).env("LASTCALL_DB_USER", "postgres")
                .env("LASTCALL_METRICS_ENABLED", Boolean.toString(metrics))
                .env("LASTCALL_HTTP_ACCESS_LOG", Boolean.toString(metrics)).start().awaitReady();
    }

    /** Scrapes {@code /metrics} as Prometheus would, every {@link #SCRAPE_INTERVAL}, with OpenMetrics. */
    private static final class Scraper implements AutoCloseable {
        private final Thread thread;
        private final AtomicInteger scrapes = new AtomicInteger();
        private volatile int lastBytes;

        private Scraper(int adminPort) {
            this.thread = Thread.ofPlatform().daemon().name("scraper").unstarted(() -> loop(adminPort));
        }

        static Scraper start(int adminPort) {
            Scraper scraper = new Scraper(adminPort);
            scraper.thread.start();
            return scraper;
        }

        private void loop(int adminPort) {
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                        .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
                        .build();
                while (!Thread.currentThread().isInterrupted()) {
                    lastBytes = http.send(request, HttpResponse.BodyHandlers.ofByteArray()).body().length;
                    scrapes.incrementAndGet();
                    Thread.sleep(SCRAPE_INTERVAL);
                }
            } catch (IOException e) {
                System.out.println("scraper: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        int scrapes() {
            return scrapes.get();
        }

        int lastBytes() {
            return lastBytes;
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join();
        }
    }

    private static List<Point> measureTransferScript(Pgbench pgbench, Connection db, long base, Duration duration)
            throws Exception {
        List<Point> points = new ArrayList<>();
        for (int clients : CLIENTS) {
            Optional<Point> point = measurePgbench(pgbench, db, "transfer.sql", clients,
                    Map.of("accounts", (long) ACCOUNTS, "base", base), duration);
            if (point.isEmpty()) {
                break;
            }
            System.out.printf("pgbench, %d clients: %s%n", clients, point.get().line());
            System.out.println(point.get().databaseLine());
            points.add(point.get());
        }
        return points;
    }

    /** floor.sql at each of {@link #FLOOR_CLIENTS}: between random pairs of accounts (uniform), and all from one (hot). */
    private record Floor(List<Point> uniform, List<Point> hot) {
        static Optional<Point> best(List<Point> points) {
            return points.stream().max(Comparator.comparingDouble(Point::tps));
        }
    }

    /** Measures the floor, then takes its transfers out again: they have no entries, events or keys. */
    private static Floor measureFloor(Pgbench pgbench, Connection db, long base, Duration duration) throws Exception {
        long lastTransfer = lastTransferId(db);
        try {
            return new Floor(floorPoints(pgbench, db, base, false, duration), floorPoints(pgbench, db, base, true, duration));
        } finally {
            System.out.printf("pgbench floor: its %d transfers taken out again and the balances moved back%n",
                    removeTransfersAfter(db, lastTransfer));
        }
    }

    private static List<Point> floorPoints(Pgbench pgbench, Connection db, long base, boolean hot, Duration duration)
            throws Exception {
        List<Point> points = new ArrayList<>();
        for (int clients : FLOOR_CLIENTS) {
            Optional<Point> point = measurePgbench(pgbench, db, "floor.sql", clients,
                    Map.of("accounts", (long) ACCOUNTS, "base", base, "hot", hot ? 1L : 0L), duration);
            if (point.isEmpty()) {
                break;
            }
            System.out.printf("pgbench floor (%s), %s: %s%n",
                    hot ? "hot: every transfer from " + FLOOR_HOT_ACCOUNT : "uniform", clients(clients), point.get().line());
            System.out.println(point.get().databaseLine());
            points.add(point.get());
        }
        return points;
    }

    /** One pgbench run after a checkpoint, with what PostgreSQL counted while it ran; empty when it failed. */
    private static Optional<Point> measurePgbench(Pgbench pgbench, Connection db, String script, int clients,
            Map<String, Long> variables, Duration duration) throws Exception {
        checkpoint(db);
        DatabaseActivity.Counters before = DatabaseActivity.Counters.read(db);
        Optional<Pgbench.Result> result = pgbench.run(script, clients, variables);
        if (result.isEmpty()) {
            return Optional.empty();
        }
        DatabaseActivity database = DatabaseActivity.since(before, db, duration.toSeconds());
        Pgbench.Result r = result.get();
        return Optional.of(new Point(clients, r.tps(), r.p50Millis(), r.p99Millis(), r.failures(), database));
    }

    private static long lastTransferId(Connection db) throws SQLException {
        try (Statement sql = db.createStatement();
                ResultSet row = sql.executeQuery("SELECT coalesce(max(id), 0) FROM ledger_transfer")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Deletes the transfers after {@code lastId} and moves both balances of each back; returns how many. */
    private static long removeTransfersAfter(Connection db, long lastId) throws SQLException {
        try (PreparedStatement remove = db.prepareStatement("""
                WITH removed AS (
                    DELETE FROM ledger_transfer WHERE id > ? RETURNING from_account_id, to_account_id, amount
                ), moves AS (
                    SELECT from_account_id AS id, amount AS change FROM removed
                    UNION ALL
                    SELECT to_account_id, -amount FROM removed
                ), restored AS (
                    UPDATE ledger_account a SET balance = a.balance + m.change
                    FROM (SELECT id, sum(change)::bigint AS change FROM moves GROUP BY id) m
                    WHERE a.id = m.id
                )
                SELECT count(*) FROM removed""")) {
            remove.setLong(1, lastId);
            try (ResultSet row = remove.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** The script finds account bench-i at id base+i: true when the accounts were opened one after the other. */
    private static long accountIdBase(Connection db) throws SQLException {
        try (Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT min(id) - 1, max(id) - min(id) + 1, count(*), "
                        + "bool_and(code = 'bench-' || (id - (SELECT min(id) - 1 FROM ledger_account WHERE code LIKE 'bench-%'))) "
                        + "FROM ledger_account WHERE code LIKE 'bench-%'")) {
            rows.next();
            if (rows.getLong(2) != ACCOUNTS || rows.getLong(3) != ACCOUNTS || !rows.getBoolean(4)) {
                throw new IllegalStateException("accounts bench-1..bench-" + ACCOUNTS + " do not have consecutive ids");
            }
            return rows.getLong(1);
        }
    }

    private static void checkpoint(Connection db) throws SQLException {
        try (Statement sql = db.createStatement()) {
            sql.execute("CHECKPOINT");
        }
    }

    private static void openAccounts(int port, List<String> accounts) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        post(http, port, "/v1/accounts", Map.of(), "{\"code\":\"world\",\"currency\":\"%s\",\"allowNegative\":true}".formatted(CURRENCY));
        for (String account : accounts) {
            post(http, port, "/v1/accounts", Map.of(), "{\"code\":\"%s\",\"currency\":\"%s\"}".formatted(account, CURRENCY));
        }
        for (String account : accounts) {
            post(http, port, "/v1/transfers", Map.of("Idempotency-Key", UUID.randomUUID().toString()),
                    "{\"from\":\"world\",\"to\":\"%s\",\"amount\":%d,\"currency\":\"%s\"}".formatted(account, OPENING_BALANCE, CURRENCY));
        }
    }

    private static void post(HttpClient http, int port, String path, Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
