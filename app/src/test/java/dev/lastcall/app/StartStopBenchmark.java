package dev.lastcall.app;

import dev.lastcall.app.load.LoadClients;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Prints (does not assert) what the issue asks of a start as shipped, side by side in one run: the
 * jar started as the systemd units start it ({@code java @config/jvm.options -XX:AOTCache=… -jar}),
 * RUNS times with the embedded PostgreSQL (an existing data directory) and RUNS times with an
 * external one: median time from {@code java -jar} to ready, from SIGTERM to exit, RSS at ready.
 * Then CLIENTS keep-alive clients for LOAD_SECONDS against the service as shipped and against the
 * JDK's defaults (no memory options, no AOT cache), in alternating quarters: requests and
 * transfers per second, and the highest RSS sampled under load.
 *
 * <p>Run with {@code ./lastcall bench start-stop [RUNS] [LOAD_SECONDS] [CLIENTS]}.
 */
public final class StartStopBenchmark {

    private static final String USAGE = "./lastcall bench start-stop [RUNS] [LOAD_SECONDS] [CLIENTS]";
    private static final String CURRENCY = "EUR";
    private static final Duration RSS_SAMPLE = Duration.ofMillis(200);
    /** The first start unpacks the PostgreSQL binaries and runs initdb: slow on a busy machine. */
    private static final Duration FIRST_START = Duration.ofMinutes(5);

    private StartStopBenchmark() {}

    private record Run(double readySeconds, double stopSeconds, double rssMb, double postgresMb) {}

    private record Loaded(double requestsPerSecond, double transfersPerSecond, double maxRssMb, int failures) {
        Loaded plus(Loaded other, double seconds, double otherSeconds) {
            double total = seconds + otherSeconds;
            return new Loaded((requestsPerSecond * seconds + other.requestsPerSecond * otherSeconds) / total,
                    (transfersPerSecond * seconds + other.transfersPerSecond * otherSeconds) / total,
                    Math.max(maxRssMb, other.maxRssMb), failures + other.failures);
        }
    }

    public static void main(String[] args) throws Exception {
        BenchmarkArguments arguments = new BenchmarkArguments(USAGE, args, 3);
        int runs = arguments.positive(0, "RUNS", 10);
        int loadSeconds = arguments.positive(1, "LOAD_SECONDS", 30);
        int clients = arguments.positive(2, "CLIENTS", 16);
        Path aot = Path.of(System.getProperty("lastcall.aot", "app/target/lastcall.aot"));
        BenchmarkDirectory work = BenchmarkDirectory.create("lastcall-bench-start");
        System.out.printf("start-stop: %s as the units start it: java @%s -XX:AOTCache=%s%s; %d cores%n", ServiceProcess.jar(),
                ServiceProcess.jvmOptionsFile(), aot, Files.isRegularFile(aot) ? "" : " (MISSING: ./lastcall train-aot)",
                Runtime.getRuntime().availableProcessors());
        try (EmbeddedPostgres external = EmbeddedPostgres.builder()
                .setDataDirectory(work.path().resolve("external")).setCleanDataDirectory(true)
                .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "100")
                .start()) {
            String url = "jdbc:postgresql://127.0.0.1:" + external.getPort() + "/postgres";
            List<Run> embedded = starts("embedded", runs, () -> shipped(aot).stateDir(work.path().resolve("embedded")),
                    work.path().resolve("embedded"));
            List<Run> externalRuns = starts("external", runs, () -> external(shipped(aot), url, work), null);
            Loaded[] load = load(url, work, aot, Duration.ofSeconds(loadSeconds), clients);
            System.out.println();
            System.out.printf("median of %d   | java -jar to ready | SIGTERM to exit | java RSS at ready | embedded postgres PSS%n", runs);
            summary("embedded", embedded);
            summary("external", externalRuns);
            System.out.println();
            System.out.printf("%d clients, %d s | requests/s | transfers/s | highest java RSS under load | failures%n", clients, loadSeconds);
            System.out.printf("as shipped      | %10.0f | %11.0f | %24.0f MB | %d%n", load[0].requestsPerSecond(),
                    load[0].transfersPerSecond(), load[0].maxRssMb(), load[0].failures());
            System.out.printf("JDK defaults    | %10.0f | %11.0f | %24.0f MB | %d%n", load[1].requestsPerSecond(),
                    load[1].transfersPerSecond(), load[1].maxRssMb(), load[1].failures());
            System.out.printf("shipped/defaults: transfers/s %.3f, highest RSS %.2f%n",
                    load[0].transfersPerSecond() / load[1].transfersPerSecond(), load[0].maxRssMb() / load[1].maxRssMb());
        } finally {
            work.delete();
        }
    }

    private static ServiceProcess.Builder shipped(Path aot) {
        return ServiceProcess.builder().aotCache(aot).quiet().label("bench");
    }

    private static ServiceProcess.Builder external(ServiceProcess.Builder builder, String url, BenchmarkDirectory work)
            throws IOException {
        return builder.env("LASTCALL_DB_URL", url).env("LASTCALL_DB_USER", "postgres")
                .stateDir(Files.createTempDirectory(work.path(), "state"));
    }

    private interface Service {
        ServiceProcess.Builder builder() throws IOException;
    }

    /** One start first, not counted: it makes the data directory or migrates the database. */
    private static List<Run> starts(String kind, int runs, Service service, Path embeddedState) throws Exception {
        List<Run> measured = new ArrayList<>();
        for (int run = 0; run <= runs; run++) {
            long begin = System.nanoTime();
            try (ServiceProcess process = service.builder().start()) {
                process.awaitReady(run == 0 ? FIRST_START : Duration.ofSeconds(60));
                double ready = (process.nanosOfLine("ready in ") - begin) / 1e9;
                double rss = megabytes(process.pid(), "status", "VmRSS:");
                double postgres = embeddedState == null ? 0 : embeddedPostgresMegabytes(embeddedState);
                long term = System.nanoTime();
                process.terminate();
                int status = process.awaitExit(Duration.ofSeconds(60));
                double stop = (System.nanoTime() - term) / 1e9;
                if (run == 0) {
                    System.out.printf("%s: first start (not counted) %.3f s%n", kind, ready);
                    continue;
                }
                measured.add(new Run(ready, stop, rss, postgres));
                System.out.printf("%s run %2d: ready %.3f s, stop %.3f s (exit %d), java rss at ready %.0f MB%s%n", kind, run,
                        ready, stop, status, rss, embeddedState == null ? "" : ", embedded postgres pss %.0f MB".formatted(postgres));
            }
        }
        return measured;
    }

    private static void summary(String kind, List<Run> runs) {
        System.out.printf("%-14s | %16.3f s | %13.3f s | %14.0f MB | %s%n", kind, median(runs, Run::readySeconds),
                median(runs, Run::stopSeconds), median(runs, Run::rssMb),
                kind.equals("embedded") ? "%.0f MB".formatted(median(runs, Run::postgresMb)) : "-");
    }

    /** Both services run at once on the external database; each is measured in two quarters: shipped, defaults, defaults, shipped. */
    private static Loaded[] load(String url, BenchmarkDirectory work, Path aot, Duration duration, int clients) throws Exception {
        List<String> accounts = IntStream.rangeClosed(1, 8).mapToObj(i -> "load-" + i).toList();
        try (ServiceProcess shipped = external(shipped(aot), url, work).start();
                ServiceProcess defaults = external(ServiceProcess.builder().jvmDefaults().quiet().label("defaults"), url, work).start()) {
            shipped.awaitReady();
            defaults.awaitReady();
            openAccounts(shipped.httpPort(), accounts);
            Duration quarter = duration.dividedBy(2);
            System.out.printf("load: warming both up for %d s each%n", quarter.toSeconds());
            measure(shipped, clients, accounts, quarter);
            measure(defaults, clients, accounts, quarter);
            Loaded shipped1 = measure(shipped, clients, accounts, quarter);
            Loaded defaults1 = measure(defaults, clients, accounts, quarter);
            Loaded defaults2 = measure(defaults, clients, accounts, quarter);
            Loaded shipped2 = measure(shipped, clients, accounts, quarter);
            double seconds = quarter.toMillis() / 1000.0;
            return new Loaded[] {shipped1.plus(shipped2, seconds, seconds), defaults1.plus(defaults2, seconds, seconds)};
        }
    }

    private static Loaded measure(ServiceProcess service, int clients, List<String> accounts, Duration duration)
            throws InterruptedException {
        double maxRss = 0;
        long begin = System.nanoTime();
        LoadClients load = LoadClients.start(service.httpPort(), clients, accounts, CURRENCY);
        try {
            long end = begin + duration.toNanos();
            while (System.nanoTime() < end) {
                maxRss = Math.max(maxRss, megabytes(service.pid(), "status", "VmRSS:"));
                Thread.sleep(RSS_SAMPLE);
            }
        } finally {
            load.close();
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        load.failures().stream().limit(3).forEach(f -> System.out.println("  failure: " + f.what()));
        return new Loaded(load.requests() / seconds, load.acknowledged().size() / seconds, maxRss, load.failures().size());
    }

    private static void openAccounts(int port, List<String> accounts) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        post(http, port, "/v1/accounts", "{\"code\":\"world\",\"currency\":\"%s\",\"allowNegative\":true}".formatted(CURRENCY));
        for (String account : accounts) {
            post(http, port, "/v1/accounts", "{\"code\":\"%s\",\"currency\":\"%s\"}".formatted(account, CURRENCY));
        }
    }

    private static void post(HttpClient http, int port, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** The embedded server daemonizes, so it is found by its pid file, not among the JVM's children. */
    private static double embeddedPostgresMegabytes(Path stateDir) throws IOException {
        long postmaster = Long.parseLong(Files.readAllLines(stateDir.resolve("postgres/data/postmaster.pid")).getFirst().strip());
        return Stream.concat(Stream.of(postmaster), ProcessHandle.of(postmaster).stream()
                        .flatMap(ProcessHandle::descendants).map(ProcessHandle::pid))
                .mapToDouble(pid -> megabytes(pid, "smaps_rollup", "Pss:")).sum();
    }

    /** A size in kB from a /proc file of the process, in MB; 0 when the process is gone. */
    private static double megabytes(long pid, String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/" + file))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> value) {
        double[] sorted = runs.stream().mapToDouble(value).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
