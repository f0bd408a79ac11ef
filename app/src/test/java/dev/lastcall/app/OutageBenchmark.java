package dev.lastcall.app;

import dev.lastcall.platform.testing.RawHttp;
import dev.lastcall.platform.testing.RestartablePostgres;
import dev.lastcall.platform.testing.RestartablePostgres.Mode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints (does not assert) what a database outage costs clients: the time a transfer takes to be
 * refused (503) while PostgreSQL is down, the time from PostgreSQL accepting connections again to
 * the first 201, and SIGTERM to exit during the outage. Each run starts the jar on a PostgreSQL
 * of its own ({@code pg_ctl}), stops PostgreSQL, measures, starts it, stops it again and stops the
 * service.
 *
 * <p>Run with {@code ./lastcall bench outage [RUNS]}.
 */
public final class OutageBenchmark {

    private static final String USAGE = "./lastcall bench outage [RUNS]";
    private static final int REFUSALS_PER_RUN = 20;

    private OutageBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchmarkArguments arguments = new BenchmarkArguments(USAGE, args, 1);
        int runs = arguments.positive(0, "RUNS", 5);
        List<Double> refusals = new ArrayList<>();
        List<Double> recoveries = new ArrayList<>();
        List<Double> stops = new ArrayList<>();
        BenchmarkDirectory state = BenchmarkDirectory.create("lastcall-bench-outage");
        System.out.printf("outage: %d runs of %s on PostgreSQL from %s%n", runs, ServiceProcess.jar(), RestartablePostgres.BIN);
        try (RestartablePostgres postgres = RestartablePostgres.start()) {
            for (int run = 1; run <= runs; run++) {
                try (ServiceProcess service = ServiceProcess.builder().stateDir(state.path()).quiet().label("bench")
                        .env("LASTCALL_DB_URL", postgres.jdbcUrl("postgres"))
                        .env("LASTCALL_DB_USER", RestartablePostgres.USER)
                        .start().awaitReady()) {
                    if (run == 1) {
                        openAccounts(service.httpPort());
                    }
                    status(service, "warm-up-" + run, 201);
                    postgres.stopServer(Mode.FAST);
                    List<Double> refused = new ArrayList<>();
                    for (int i = 0; i < REFUSALS_PER_RUN; i++) {
                        long begin = System.nanoTime();
                        status(service, "down-" + run + "-" + i, 503);
                        refused.add((System.nanoTime() - begin) / 1e6);
                    }
                    postgres.startServer();
                    long accepting = System.nanoTime();
                    int attempt = 0;
                    while (transfer(service.httpPort(), "up-" + run + "-" + attempt++).status() != 201) {
                        Thread.sleep(10);
                    }
                    double recovered = (System.nanoTime() - accepting) / 1e6;
                    postgres.stopServer(Mode.FAST);
                    status(service, "down-again-" + run, 503);
                    Thread.sleep(1_000);
                    long term = System.nanoTime();
                    service.terminate();
                    int exit = service.awaitExit(Duration.ofSeconds(60));
                    double stopped = (System.nanoTime() - term) / 1e6;
                    postgres.startServer();
                    refusals.add(median(refused));
                    recoveries.add(recovered);
                    stops.add(stopped);
                    System.out.printf("run %d: 503 while down in %.1f ms (median of %d, first %.1f ms), first 201 %.0f ms "
                                    + "after PostgreSQL accepted connections, SIGTERM to exit during the outage %.0f ms (exit %d)%n",
                            run, median(refused), REFUSALS_PER_RUN, refused.getFirst(), recovered, stopped, exit);
                }
            }
        } finally {
            state.delete();
        }
        System.out.printf("median of %d: 503 while down %.1f ms, recovery %.0f ms, SIGTERM to exit during the outage %.0f ms%n",
                runs, median(refusals), median(recoveries), median(stops));
    }

    private static void status(ServiceProcess service, String key, int expected) throws Exception {
        RawHttp.Response response = transfer(service.httpPort(), key);
        if (response.status() != expected) {
            throw new IllegalStateException("expected %d, got %d %s".formatted(expected, response.status(), response.body()));
        }
    }

    private static RawHttp.Response transfer(int port, String key) throws Exception {
        String body = "{\"from\":\"world\",\"to\":\"bench\",\"amount\":1,\"currency\":\"EUR\",\"reference\":\"%s\"}".formatted(key);
        return RawHttp.exchange(port, "POST /v1/transfers HTTP/1.1\r\nContent-Type: application/json\r\nIdempotency-Key: " + key,
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static void openAccounts(int port) throws Exception {
        for (String body : List.of("{\"code\":\"world\",\"currency\":\"EUR\",\"allowNegative\":true}",
                "{\"code\":\"bench\",\"currency\":\"EUR\"}")) {
            RawHttp.exchange(port, "POST /v1/accounts HTTP/1.1\r\nContent-Type: application/json",
                    body.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
