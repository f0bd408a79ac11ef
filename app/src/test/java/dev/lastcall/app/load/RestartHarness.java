package dev.lastcall.app.load;

import dev.lastcall.app.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.stream.IntStream;

/**
 * Restarts the real jar again and again behind a real Nginx while keep-alive clients send
 * transfers, then checks DESIGN.md's invariants in the database. Used by {@code RestartUnderLoadIT}
 * (asserts zero failures) and by {@code ./lastcall bench restarts} (prints the figures).
 */
public final class RestartHarness {

    /**
     * Nginx's upstream keepalive_timeout in these runs, scaled down from the shipped config, and a
     * second under the drain delay (shipped: 4 s against 6 s). At 1 s, half a second under it, CI
     * once saw Nginx send a request into a connection the drain then closed, on a saturated machine.
     */
    public static final Duration NGINX_KEEPALIVE = Duration.ofMillis(500);
    /** The service's drain delay in these runs: above Nginx's keepalive, as the shipped unit has it. */
    public static final Duration DRAIN_DELAY = Duration.ofMillis(1500);
    static final String CURRENCY = "EUR";
    static final List<String> ACCOUNTS = IntStream.range(0, 8).mapToObj(i -> "acct-" + i).toList();
    private static final Duration EVENTS_DELIVERED_WITHIN = Duration.ofSeconds(90);

    /** What a run measured and what the database held afterwards. */
    public record Result(
            String scenario,
            int restarts,
            int clients,
            Duration ran,
            long requests,
            List<LoadClients.Failure> failures,
            double[] latencyMillis,
            List<Duration> gaps,
            List<Integer> exitStatuses,
            LedgerInvariants.Report ledger,
            long eventsNotDelivered) {

        public String summary() {
            List<Double> gapSeconds = gaps.stream().map(d -> d.toMillis() / 1000.0).sorted().toList();
            return ("%s: %d restarts, %d clients, %d requests in %.0f s, %d failures; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
                    + "restart gap median %.2f s, max %.2f s; exit statuses %s; %s; %d events not delivered")
                    .formatted(scenario, restarts, clients, requests, ran.toMillis() / 1000.0, failures.size(), latencyMillis[0], latencyMillis[1],
                            latencyMillis[2], gapSeconds.isEmpty() ? 0 : gapSeconds.get(gapSeconds.size() / 2),
                            gapSeconds.isEmpty() ? 0 : gapSeconds.getLast(), new HashSet<>(exitStatuses),
                            ledger.summary(), eventsNotDelivered);
        }
    }

    private final Path work;
    private final Path repository;
    private final int restarts;
    private final int clients;
    private final Duration duration;

    /** Restarts back to back while the load runs. */
    public RestartHarness(Path work, Path repository, int restarts, int clients) {
        this(work, repository, restarts, clients, Duration.ZERO);
    }

    /** Spreads the restarts evenly over at least {@code duration} of load. */
    public RestartHarness(Path work, Path repository, int restarts, int clients, Duration duration) {
        this.work = work;
        this.repository = repository;
        this.restarts = restarts;
        this.clients = clients;
        this.duration = duration;
    }

    /** Scenario (b): two instances behind Nginx, restarted one after the other. */
    public Result twoInstancesBehindNginx() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(work.resolve("postgres")).setCleanDataDirectory(true).start();
                WebhookReceiver receiver = WebhookReceiver.start()) {
            String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            List<Instance> instances = List.of(new Instance("a", jdbcUrl), new Instance("b", jdbcUrl));
            for (Instance instance : instances) {
                instance.start();
            }
            prepare(instances.getFirst().port, receiver);
            Result result = underLoad("two instances behind nginx", jdbcUrl, receiver,
                    instances.stream().map(i -> i.port).toList(), (gaps, exits) -> {
                        for (Instance instance : instances) {
                            long term = System.nanoTime();
                            exits.add(instance.restart());
                            gaps.add(Duration.ofNanos(instance.readyNanos - term));
                        }
                    });
            for (Instance instance : instances) {
                instance.stop();
            }
            return result;
        }
    }

    /** Scenario (a): one instance on a socket held across restarts (as systemd's socket unit), behind Nginx. */
    public Result heldSocketBehindNginx() throws Exception {
        return heldSocket("one instance on a held socket behind nginx", DRAIN_DELAY, true);
    }

    /**
     * Scenario (a) without Nginx: one instance on a held socket, clients connected directly and no
     * drain delay, so requests meet the drain on connections the clients keep alive.
     */
    public Result heldSocketDirectNoDrainDelay() throws Exception {
        return heldSocket("one instance on a held socket, direct clients, no drain delay", Duration.ZERO, false);
    }

    private Result heldSocket(String scenario, Duration drainDelay, boolean behindNginx) throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(work.resolve("postgres")).setCleanDataDirectory(true).start();
                WebhookReceiver receiver = WebhookReceiver.start()) {
            String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            Map<String, String> environment = new HashMap<>(serviceEnvironment(jdbcUrl));
            environment.put("LASTCALL_HTTP_DRAIN_DELAY", drainDelay.toMillis() + "ms");
            environment.put("LASTCALL_ADMIN_PORT", Integer.toString(freePort()));
            environment.put("LASTCALL_STATE_DIR", Files.createDirectories(work.resolve("state-held")).toString());
            try (SocketHolder holder = SocketHolder.start(ServiceProcess.java(), ServiceProcess.jar(),
                    Files.createDirectories(work.resolve("held-logs")), environment)) {
                holder.startAndAwaitReady();
                prepare(holder.port(), receiver);
                RestartRound round = (gaps, exits) -> {
                    long term = System.nanoTime();
                    exits.add(holder.stop());
                    gaps.add(Duration.ofNanos(holder.startAndAwaitReady() - term));
                };
                Result result = behindNginx
                        ? underLoad(scenario, jdbcUrl, receiver, List.of(holder.port()), round)
                        : underDirectLoad(scenario, jdbcUrl, receiver, holder.port(), round);
                holder.stop();
                return result;
            }
        }
    }

    /** One round of restarts: records each restart's exit status and its gap (SIGTERM to the next process ready). */
    private interface RestartRound {
        void run(List<Duration> gaps, List<Integer> exits) throws Exception;
    }

    /** Runs the load through Nginx in front of the ports while the rounds restart the service, then checks the database. */
    private Result underLoad(String scenario, String jdbcUrl, WebhookReceiver receiver, List<Integer> ports,
            RestartRound round) throws Exception {
        int proxyPort = freePort();
        String site = NginxProxy.siteConfig(repository.resolve("config/nginx/lastcall.conf"), proxyPort, ports,
                NGINX_KEEPALIVE);
        try (NginxProxy nginx = NginxProxy.start(work.resolve("nginx"), site)) {
            List<Duration> gaps = new ArrayList<>();
            List<Integer> exits = new ArrayList<>();
            LoadClients load = LoadClients.start(proxyPort, clients, ACCOUNTS, CURRENCY);
            Duration ran = restartWhileLoaded(load, round, gaps, exits);
            if (!load.failures().isEmpty()) {
                System.out.println("nginx error log:\n" + nginx.errorLog());
            }
            return check(scenario, jdbcUrl, load, ran, gaps, exits, receiver);
        }
    }

    /** Runs the load straight at {@code port} while the rounds restart the service, then checks the database. */
    private Result underDirectLoad(String scenario, String jdbcUrl, WebhookReceiver receiver, int port,
            RestartRound round) throws Exception {
        List<Duration> gaps = new ArrayList<>();
        List<Integer> exits = new ArrayList<>();
        LoadClients load = LoadClients.start(port, clients, ACCOUNTS, CURRENCY);
        Duration ran = restartWhileLoaded(load, round, gaps, exits);
        return check(scenario, jdbcUrl, load, ran, gaps, exits, receiver);
    }

    /** The restarts, paced, while {@code load} runs; stops the load and returns how long it ran. */
    private Duration restartWhileLoaded(LoadClients load, RestartRound round, List<Duration> gaps, List<Integer> exits)
            throws Exception {
        try {
            Pace pace = new Pace();
            for (int number = 1; number <= restarts; number++) {
                pace.awaitRound(number);
                round.run(gaps, exits);
                System.out.printf("restart round %d/%d: %d requests, %d failures, %d sent again after a reused connection closed unanswered%n",
                        number, restarts, load.requests(), load.failures().size(), load.retriedOnReusedConnections());
            }
            pace.awaitEnd();
            return pace.elapsed();
        } finally {
            load.close();
        }
    }

    /**
     * When each restart begins: evenly spaced over {@code duration} from the start of the load (or
     * back to back when that is shorter), with at least a second of load before the first and after the last.
     */
    private final class Pace {
        private static final Duration MARGIN = Duration.ofSeconds(1);
        private final long begin = System.nanoTime();

        void awaitRound(int round) throws InterruptedException {
            sleepUntil(Duration.ofNanos(Math.max(MARGIN.toNanos(), duration.toNanos() / (restarts + 1) * round)));
        }

        void awaitEnd() throws InterruptedException {
            long now = System.nanoTime() - begin;
            sleepUntil(Duration.ofNanos(Math.max(now + MARGIN.toNanos(), duration.toNanos())));
        }

        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - begin);
        }

        private void sleepUntil(Duration sinceBegin) throws InterruptedException {
            long left = begin + sinceBegin.toNanos() - System.nanoTime();
            if (left > 0) {
                Thread.sleep(Duration.ofNanos(left));
            }
        }
    }

    static Map<String, String> serviceEnvironment(String jdbcUrl) {
        return Map.of(
                "LASTCALL_DB_URL", jdbcUrl,
                "LASTCALL_DB_USER", "postgres",
                "LASTCALL_HTTP_DRAIN_DELAY", DRAIN_DELAY.toMillis() + "ms",
                "LASTCALL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true",
                "LASTCALL_WEBHOOKS_RETRY_BASE_DELAY", "1s",
                "LASTCALL_WEBHOOKS_POLL_INTERVAL", "200ms");
    }

    private Result check(String scenario, String jdbcUrl, LoadClients load, Duration ran, List<Duration> gaps, List<Integer> exits,
            WebhookReceiver receiver) throws SQLException, InterruptedException {
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            LedgerInvariants.Report ledger = LedgerInvariants.check(db, load.acknowledged());
            long notDelivered = EventDeliveries.awaitAllDelivered(db, receiver, EVENTS_DELIVERED_WITHIN);
            return new Result(scenario, restarts, clients, ran, load.requests(), load.failures(), load.latencyMillis(), gaps,
                    exits, ledger, notDelivered);
        }
    }

    static void prepare(int port, WebhookReceiver receiver) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        post(http, port, "/v1/accounts", "{\"code\":\"world\",\"currency\":\"%s\",\"allowNegative\":true}".formatted(CURRENCY));
        for (String account : ACCOUNTS) {
            post(http, port, "/v1/accounts", "{\"code\":\"%s\",\"currency\":\"%s\"}".formatted(account, CURRENCY));
        }
        post(http, port, "/v1/webhooks", "{\"url\":\"%s\",\"events\":[\"transfer.created\"]}".formatted(receiver.url()));
    }

    private static void post(HttpClient http, int port, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** One service instance on fixed ports, restarted in place. */
    private final class Instance {
        private final String name;
        private final String jdbcUrl;
        private final int port;
        private final int adminPort;
        private final Path state;
        private ServiceProcess process;
        private long readyNanos;

        Instance(String name, String jdbcUrl) throws IOException {
            this.name = name;
            this.jdbcUrl = jdbcUrl;
            this.port = freePort();
            this.adminPort = freePort();
            this.state = Files.createDirectories(work.resolve("state-" + name));
        }

        void start() throws IOException, InterruptedException {
            ServiceProcess.Builder builder = ServiceProcess.builder().quiet().label(name).stateDir(state)
                    .env("LASTCALL_HTTP_PORT", Integer.toString(port))
                    .env("LASTCALL_ADMIN_PORT", Integer.toString(adminPort));
            serviceEnvironment(jdbcUrl).forEach(builder::env);
            process = builder.start();
            process.awaitReady();
            readyNanos = process.nanosOfLine("ready in ");
        }

        int restart() throws IOException, InterruptedException {
            process.signal("TERM");
            int status = process.awaitExit(Duration.ofSeconds(60));
            if (status != 0) {
                System.out.println("instance " + name + " exited " + status + ":\n" + process.output());
            }
            start();
            return status;
        }

        void stop() throws IOException, InterruptedException {
            process.signal("TERM");
            process.awaitExit(Duration.ofSeconds(60));
        }
    }
}
