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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Prints (asserts nothing) what the real jar does with many more clients than its pool serves: a
 * service on the shipped defaults ({@code db.poolSize} 10, the shipped admission limit and queue),
 * CLIENTS keep-alive clients sending transfers for DURATION, each refused client waiting what its
 * {@code Retry-After} says, after the same with admission off, for comparison. Per run: admitted and
 * refused per second, latency of each, other answers, the service's resident memory; then the
 * ledger invariants and that no refused transfer was applied.
 *
 * <p>Run with {@code ./lastcall bench overload [CLIENTS] [DURATION]} (500 clients, 30s by default).
 */
public final class OverloadBenchmark {

    private static final String USAGE = "./lastcall bench overload [CLIENTS] [DURATION]";
    private static final String CURRENCY = "EUR";
    private static final List<String> ACCOUNTS = IntStream.rangeClosed(1, 10).mapToObj(i -> "bench-" + i).toList();
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final int WARM_UP_CLIENTS = 16;
    private static final Duration RSS_SAMPLE = Duration.ofMillis(250);
    /** As good as no admission limit: every request goes on to wait for a pool connection. */
    private static final String ADMISSION_OFF = "100000";

    private OverloadBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchmarkArguments arguments = new BenchmarkArguments(USAGE, args, 2);
        int clients = arguments.positive(0, "CLIENTS", 500);
        Duration duration = arguments.duration(1, "DURATION", Duration.ofSeconds(30));
        BenchmarkDirectory work = BenchmarkDirectory.create("lastcall-bench-overload");
        try {
            run(work.path(), clients, duration);
        } finally {
            work.delete();
        }
    }

    private static void run(Path work, int clients, Duration duration) throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(work.resolve("postgres")).setCleanDataDirectory(true)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "100")
                .start()) {
            String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            System.out.printf("overload: %s, %d clients for %d s after %d s warm-up (%d clients), transfers between %d "
                            + "accounts; refused clients wait their Retry-After; PostgreSQL on port %d (fsync on); %d cores%n",
                    ServiceProcess.jar(), clients, duration.toSeconds(), WARM_UP.toSeconds(), WARM_UP_CLIENTS,
                    ACCOUNTS.size(), postgres.getPort(), Runtime.getRuntime().availableProcessors());
            try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
                Map<String, Long> admitted = new HashMap<>();
                Set<String> refused = new HashSet<>();
                boolean first = true;
                for (boolean admission : new boolean[] {false, true}) {
                    Run result = measure(work, jdbcUrl, clients, duration, admission, first);
                    first = false;
                    for (OverloadClients clientsOfRun : List.of(result.warmUp(), result.load())) {
                        admitted.putAll(clientsOfRun.admitted());
                        refused.addAll(clientsOfRun.refused());
                    }
                    System.out.println(result.summary());
                }
                LedgerInvariants.Report ledger = LedgerInvariants.check(db, admitted);
                Set<String> refusedButStored = new HashSet<>(refused);
                refusedButStored.retainAll(keysStored(db));
                System.out.println("ledger after both: " + ledger.summary() + "; invariants broken: "
                        + (ledger.violations().isEmpty() ? "none" : ledger.violations())
                        + "; refused transfers applied: " + refusedButStored.size());
            }
        }
    }

    /** One service under the overload: what its clients saw and its memory. */
    private record Run(String name, Duration ran, OverloadClients warmUp, OverloadClients load, long rssAtReadyKb,
            long rssMaxKb, long rssAfterKb, String readyAfter, ServerLatency admittedInService, ServerLatency refusedInService) {

        String summary() {
            double seconds = ran.toMillis() / 1000.0;
            double[] admittedMs = LoadClients.percentilesMillis(load.admittedMicros());
            double[] refusedMs = LoadClients.percentilesMillis(load.refusedMicros());
            Map<String, Long> unexpected = new TreeMap<>();
            for (String answer : load.unexpected()) {
                unexpected.merge(answer.replaceAll("^(HTTP \\d+).*\"code\":\"([a-z_]+)\".*$", "$1 $2")
                        .replaceAll("^(HTTP \\d+) \\{.*", "$1"), 1L, Long::sum);
            }
            return ("%s: admitted %d (%.0f/s), latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; refused 503 overloaded %d (%.0f/s), "
                    + "latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; other answers %d %s; service RSS %d MB at ready, "
                    + "%d MB max, %d MB after; readiness after: %s; in the service (its own histogram): admitted p50 %s, p99 %s, "
                    + "503s p50 %s, p99 %s")
                    .formatted(name, load.admitted().size(), load.admitted().size() / seconds, admittedMs[0], admittedMs[1],
                            admittedMs[2], load.refused().size(), load.refused().size() / seconds, refusedMs[0], refusedMs[1],
                            refusedMs[2], load.unexpected().size(), unexpected, rssAtReadyKb / 1024, rssMaxKb / 1024,
                            rssAfterKb / 1024, readyAfter, admittedInService.quantile(0.5), admittedInService.quantile(0.99),
                            refusedInService.quantile(0.5), refusedInService.quantile(0.99));
        }
    }

    private static Run measure(Path work, String jdbcUrl, int clients, Duration duration, boolean admission,
            boolean openAccounts) throws Exception {
        String name = admission ? "admission on (shipped defaults)" : "admission off (http.maxActiveRequests " + ADMISSION_OFF + ")";
        ServiceProcess.Builder builder = ServiceProcess.builder().quiet().label(admission ? "on" : "off")
                .stateDir(Files.createDirectories(work.resolve(admission ? "state-on" : "state-off")))
                .env("LASTCALL_DB_URL", jdbcUrl)
                .env("LASTCALL_DB_USER", "postgres")
                .env("LASTCALL_HTTP_ACCESS_LOG", "false");
        if (!admission) {
            builder.env("LASTCALL_HTTP_MAX_ACTIVE_REQUESTS", ADMISSION_OFF);
        }
        try (ServiceProcess service = builder.start()) {
            service.awaitReady();
            long rssAtReady = rssKb(service.pid());
            if (openAccounts) {
                HttpClient http = HttpClient.newHttpClient();
                for (String account : ACCOUNTS) {
                    post(http, service.httpPort(), "{\"code\":\"%s\",\"currency\":\"%s\",\"allowNegative\":true}"
                            .formatted(account, CURRENCY));
                }
            }
            OverloadClients warmUp = OverloadClients.start(service.httpPort(), WARM_UP_CLIENTS, ACCOUNTS, CURRENCY, Duration.ZERO)
                    .closeAfter(WARM_UP);
            ServerLatency admittedBefore = ServerLatency.scrape(service.adminPort(), 201);
            ServerLatency refusedBefore = ServerLatency.scrape(service.adminPort(), 503);
            System.out.printf("%s: pid %d, warmed up; %d clients for %d s ...%n", name, service.pid(), clients, duration.toSeconds());
            AtomicLong rssMax = new AtomicLong(rssAtReady);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    rssMax.accumulateAndGet(rssKb(service.pid()), Math::max);
                    try {
                        Thread.sleep(RSS_SAMPLE);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long begin = System.nanoTime();
            OverloadClients load = OverloadClients.start(service.httpPort(), clients, ACCOUNTS, CURRENCY, Duration.ZERO);
            load.closeAfter(duration);
            Duration ran = Duration.ofNanos(System.nanoTime() - begin);
            sampler.interrupt();
            sampler.join();
            ServerLatency admittedInService = ServerLatency.scrape(service.adminPort(), 201).since(admittedBefore);
            ServerLatency refusedInService = ServerLatency.scrape(service.adminPort(), 503).since(refusedBefore);
            String ready = readiness(service.adminPort());
            long rssAfter = rssKb(service.pid());
            service.terminate();
            int exit = service.awaitExit(Duration.ofSeconds(60));
            return new Run(name, ran, warmUp, load, rssAtReady, rssMax.get(), rssAfter, ready + ", exit " + exit,
                    admittedInService, refusedInService);
        }
    }

    private static String readiness(int adminPort) throws Exception {
        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        return Integer.toString(ready.statusCode());
    }

    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process is gone
        }
        return 0;
    }

    private static void post(HttpClient http, int port, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/accounts"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST /v1/accounts answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static Set<String> keysStored(Connection db) throws Exception {
        Set<String> keys = new HashSet<>();
        try (Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT idempotency_key FROM ledger_idempotency_key")) {
            while (rows.next()) {
                keys.add(rows.getString(1));
            }
        }
        return keys;
    }
}
