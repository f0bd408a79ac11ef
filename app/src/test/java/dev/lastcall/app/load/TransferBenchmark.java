package dev.lastcall.app.load;

import dev.lastcall.app.BenchmarkArguments;
import dev.lastcall.app.BenchmarkDirectory;
import dev.lastcall.app.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Prints (asserts nothing) how many transfers per second the real jar commits, with p50 and p99
 * latency, at 16 and 64 keep-alive clients, next to {@code pgbench} running the same SQL
 * transaction ({@code transfer.sql}) against the same PostgreSQL: the ratio says how close the
 * service comes to what the database itself allows on this machine.
 *
 * <p>Two services run on the same database, one with {@code metrics.enabled=false} and {@code
 * http.accessLog=false}, and one with both on while its {@code /metrics} is scraped every {@link
 * #SCRAPE_INTERVAL}, measured in alternating quarters at each point (A B B A): the two side by side are what
 * watching the service costs.
 *
 * <p>Run with {@code ./lastcall bench transfers [DURATION_SECONDS]} (20 by default, per point).
 */
public final class TransferBenchmark {

    private static final List<Integer> CLIENTS = List.of(16, 64);
    private static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
    private static final String CURRENCY = "EUR";
    private static final int ACCOUNTS = 10;
    private static final long OPENING_BALANCE = 1_000_000_000_000L;
    private static final Path PGBENCH = Path.of(System.getProperty("lastcall.pgbench", "/usr/lib/postgresql/15/bin/pgbench"));
    private static final Pattern PGBENCH_TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern PGBENCH_FAILED = Pattern.compile("number of failed transactions: (\\d+)");

    /** One measured point: transfers per second, latency, and what went wrong. */
    private record Point(int clients, double tps, double p50Millis, double p99Millis, long failures) {
        String line() {
            return "%5.0f tps, p50 %6.2f ms, p99 %6.2f ms, %d failed".formatted(tps, p50Millis, p99Millis, failures);
        }
    }

    private static final String USAGE = "./lastcall bench transfers [DURATION_SECONDS]";

    private TransferBenchmark() {}

    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofSeconds(
                new BenchmarkArguments(USAGE, args, 1).positive(0, "DURATION_SECONDS", 20));
        Duration warmUp = Duration.ofSeconds(Math.max(5, duration.toSeconds() / 2));
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
                Measured measured = measureServices(work, jdbcUrl, db, accounts, duration, warmUp);
                List<Point> service = measured.on();
                List<Point> withoutMetrics = measured.off();
                List<Point> pgbench = measurePgbench(postgres.getPort(), db, work, duration);
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
            }
        }
    }

    /** The service with metrics off and on, measured side by side. */
    private record Measured(List<Point> off, List<Point> on, Map<String, Long> acknowledged) {}

    /**
     * Runs two services on the same database, one with metrics off and one with metrics on (its
     * {@code /metrics} scraped all along), and measures them one after the other at each point, so
     * that both see the same machine: it is shared, and its load drifts.
     */
    private static Measured measureServices(Path work, String jdbcUrl, Connection db, List<String> accounts,
            Duration duration, Duration warmUp) throws Exception {
        List<Point> off = new ArrayList<>();
        List<Point> on = new ArrayList<>();
        Map<String, Long> acknowledged = new HashMap<>();
        try (ServiceProcess withoutMetrics = service(work, jdbcUrl, false);
                ServiceProcess withMetrics = service(work, jdbcUrl, true)) {
            openAccounts(withoutMetrics.httpPort(), accounts);
            System.out.printf("services: pid %d (metrics and access log off), pid %d (metrics and access log on), pools of %s connections; warming up ...%n",
                    withoutMetrics.pid(), withMetrics.pid(),
                    withMetrics.awaitLine("pool of (\\d+) connections", Duration.ofSeconds(5)).group(1));
            try (Scraper scraper = Scraper.start(withMetrics.adminPort())) {
                run(withoutMetrics.httpPort(), CLIENTS.getFirst(), accounts, warmUp, acknowledged);
                run(withMetrics.httpPort(), CLIENTS.getFirst(), accounts, warmUp, acknowledged);
                for (int clients : CLIENTS) {
                    Point[] pair = alternating(db, withoutMetrics.httpPort(), withMetrics.httpPort(), clients, accounts, duration,
                            acknowledged);
                    System.out.printf("service (metrics and access log off), %d clients: %s%n", clients, pair[0].line());
                    System.out.printf("service (metrics and access log on), %d clients: %s%n", clients, pair[1].line());
                    off.add(pair[0]);
                    on.add(pair[1]);
                }
                System.out.printf("service (metrics on): /metrics scraped %d times, %d bytes the last time%n",
                        scraper.scrapes(), scraper.lastBytes());
            }
            withoutMetrics.terminate();
            withMetrics.terminate();
            System.out.printf("services stopped: exit %d, %d%n", withoutMetrics.awaitExit(Duration.ofSeconds(60)),
                    withMetrics.awaitExit(Duration.ofSeconds(60)));
        }
        return new Measured(off, on, acknowledged);
    }

    /**
     * Measures two services in four quarters, A B B A, so that a drift of the machine or of the
     * database (tables and indexes grow as the run goes) weighs on both alike.
     */
    private static Point[] alternating(Connection db, int portA, int portB, int clients, List<String> accounts,
            Duration duration, Map<String, Long> acknowledged) throws Exception {
        Duration quarter = duration.dividedBy(4);
        Rounds a = new Rounds(clients);
        Rounds b = new Rounds(clients);
        for (int port : new int[] {portA, portB, portB, portA}) {
            checkpoint(db);
            (port == portA ? a : b).add(port, accounts, quarter, acknowledged);
        }
        return new Point[] {a.point(), b.point()};
    }

    /** Several measured rounds of one service, summed into one point. */
    private static final class Rounds {
        private final int clients;
        private final List<long[]> latencies = new ArrayList<>();
        private double seconds;
        private long acknowledged;
        private long failures;

        Rounds(int clients) {
            this.clients = clients;
        }

        void add(int port, List<String> accounts, Duration duration, Map<String, Long> allAcknowledged)
                throws InterruptedException {
            long begin = System.nanoTime();
            LoadClients load = LoadClients.transfersBetween(port, clients, accounts, CURRENCY);
            try {
                Thread.sleep(duration);
            } finally {
                load.close();
            }
            seconds += (System.nanoTime() - begin) / 1e9;
            acknowledged += load.acknowledged().size();
            allAcknowledged.putAll(load.acknowledged());
            failures += load.failures().size();
            latencies.add(load.latenciesMicros());
            load.failures().stream().limit(5).forEach(f -> System.out.println("  failure: " + f.what()));
        }

        Point point() {
            double[] latency = LoadClients.percentilesMillis(
                    latencies.stream().flatMapToLong(Arrays::stream).toArray());
            return new Point(clients, acknowledged / seconds, latency[0], latency[1], failures);
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

    private static Point run(int port, int clients, List<String> accounts, Duration duration,
            Map<String, Long> allAcknowledged) throws InterruptedException {
        long begin = System.nanoTime();
        LoadClients load = LoadClients.transfersBetween(port, clients, accounts, CURRENCY);
        try {
            Thread.sleep(duration);
        } finally {
            load.close();
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        double[] latency = load.latencyMillis();
        load.failures().stream().limit(5).forEach(f -> System.out.println("  failure: " + f.what()));
        allAcknowledged.putAll(load.acknowledged());
        return new Point(clients, load.acknowledged().size() / seconds, latency[0], latency[1], load.failures().size());
    }

    private static List<Point> measurePgbench(int port, Connection db, Path work, Duration duration) throws Exception {
        if (!Files.isExecutable(PGBENCH)) {
            System.out.println("pgbench: not found at " + PGBENCH + " (set -Dlastcall.pgbench); skipped");
            return List.of();
        }
        Path script = work.resolve("transfer.sql");
        try (InputStream in = TransferBenchmark.class.getResourceAsStream("transfer.sql")) {
            Files.write(script, in.readAllBytes());
        }
        long base = accountIdBase(db);
        List<Point> points = new ArrayList<>();
        for (int clients : CLIENTS) {
            checkpoint(db);
            Path logs = Files.createDirectories(work.resolve("pgbench-" + clients));
            List<String> command = List.of(PGBENCH.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres",
                    "-n", "-M", "prepared", "-c", Integer.toString(clients), "-j", "2", "-T", Long.toString(duration.toSeconds()),
                    "-D", "accounts=" + ACCOUNTS, "-D", "base=" + base, "-f", script.toString(),
                    "-l", "--log-prefix=" + logs.resolve("log"), "postgres");
            if (points.isEmpty()) {
                System.out.println("pgbench: " + String.join(" ", command));
            }
            Process pgbench = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
            String output = new String(pgbench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = pgbench.waitFor();
            Matcher tps = PGBENCH_TPS.matcher(output);
            if (status != 0 || !tps.find()) {
                System.out.println("pgbench failed (exit " + status + "):\n" + output);
                return points;
            }
            Matcher failed = PGBENCH_FAILED.matcher(output);
            double[] latency = percentiles(logs);
            Point point = new Point(clients, Double.parseDouble(tps.group(1)), latency[0], latency[1],
                    failed.find() ? Long.parseLong(failed.group(1)) : 0);
            System.out.printf("pgbench, %d clients: %s%n", clients, point.line());
            points.add(point);
        }
        return points;
    }

    /** p50 and p99 in milliseconds from pgbench's per-transaction logs (third field: latency in microseconds). */
    private static double[] percentiles(Path logs) throws IOException {
        long[] micros;
        try (Stream<Path> files = Files.list(logs)) {
            micros = files.flatMap(file -> {
                try {
                    return Files.readAllLines(file).stream();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).mapToLong(line -> Long.parseLong(line.split(" ")[2])).sorted().toArray();
        }
        if (micros.length == 0) {
            return new double[] {0, 0};
        }
        return new double[] {micros[micros.length / 2] / 1000.0, micros[(int) Math.min(micros.length - 1, micros.length * 0.99)] / 1000.0};
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
