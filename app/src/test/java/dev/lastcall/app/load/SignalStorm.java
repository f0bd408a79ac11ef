package dev.lastcall.app.load;

import dev.lastcall.app.ServiceProcess;
import dev.lastcall.platform.lifecycle.ExitStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Starts and stops the real jar again and again with SIGTERM or SIGINT at a random moment: during
 * its start, at the instant it says ready, under load, right after an error answer, or twice during
 * a drain. Every signal must be obeyed: the process ends within {@code shutdown.timeout} (plus the
 * halt's grace) with a documented exit status. Used by {@code SignalStormIT} and {@code ./lastcall
 * bench chaos storm}.
 */
public final class SignalStorm {

    /** When the (first) signal is sent. */
    public enum Moment { START, READY, LOAD, ERROR, DRAIN }

    /** The stop budget of these runs ({@code shutdown.timeout}). */
    public static final Duration BUDGET = Duration.ofSeconds(10);
    /** Past the budget: the watchdog's report and the halt's log flush, then the JVM's exit. */
    public static final Duration GRACE = Duration.ofSeconds(5);
    /** 143 and 130: the JVM's own exit for SIGTERM or SIGINT before {@code main} installed the service's handlers. */
    public static final Set<Integer> DOCUMENTED = Set.copyOf(
            java.util.stream.Stream.concat(Arrays.stream(ExitStatus.values()).map(ExitStatus::code), java.util.stream.Stream.of(143))
                    .toList());
    private static final Duration DRAIN_DELAY = Duration.ofSeconds(1);
    /** Generous: on a shared 2-core machine under a load of 30, a start has taken over a minute. */
    private static final Duration READY_WITHIN = Duration.ofMinutes(5);

    /** One start and its stop. */
    public record Cycle(Moment moment, String signals, Duration signalToExit, int exitStatus, String output) {
        boolean obeyed() {
            return signalToExit.compareTo(BUDGET.plus(GRACE)) <= 0 && DOCUMENTED.contains(exitStatus);
        }
    }

    /**
     * What the storm saw: the cycles, and the ones that broke off before their signal (a start that
     * failed or never became ready), each with what went wrong and the service's output.
     */
    public record Result(List<Cycle> cycles, List<String> brokenOff) {
        public List<Cycle> disobeyed() {
            return cycles.stream().filter(c -> !c.obeyed()).toList();
        }

        public String summary() {
            long[] micros = cycles.stream().mapToLong(c -> c.signalToExit().toNanos() / 1000).toArray();
            double[] p = LoadClients.percentilesMillis(micros);
            double p99 = p[1];
            Map<Integer, Long> statuses = cycles.stream().collect(Collectors.groupingBy(Cycle::exitStatus, TreeMap::new, Collectors.counting()));
            Map<Moment, Long> moments = cycles.stream().collect(Collectors.groupingBy(Cycle::moment, TreeMap::new, Collectors.counting()));
            Map<String, Long> signals = cycles.stream().collect(Collectors.groupingBy(Cycle::signals, TreeMap::new, Collectors.counting()));
            return ("signal storm: %d cycles %s, signals %s; signal to exit p50 %.0f ms, p99 %.0f ms, max %.0f ms; "
                    + "exit statuses %s; %d not obeyed within %d s with a documented status; %d broken off before the signal")
                    .formatted(cycles.size(), moments, signals, p[0], p99, p[2], statuses, disobeyed().size(),
                            BUDGET.plus(GRACE).toSeconds(), brokenOff.size());
        }
    }

    private final Path work;
    private final int cycles;
    private final int lanes;
    private final long seed;

    /** {@code lanes} services stopped side by side, each with its own random moments, {@code cycles} in all. */
    public SignalStorm(Path work, int cycles, int lanes, long seed) {
        this.work = work;
        this.cycles = cycles;
        this.lanes = lanes;
        this.seed = seed;
    }

    public Result run() throws Exception {
        try (RestartablePostgres postgres = RestartablePostgres.start(work.resolve("postgres"));
                WebhookReceiver receiver = WebhookReceiver.start()) {
            long startMillis = prepare(postgres.jdbcUrl(), Files.createDirectories(work.resolve("state")), receiver);
            List<Cycle> done = java.util.Collections.synchronizedList(new ArrayList<>());
            List<String> brokenOff = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicLong numbers = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int lane = 0; lane < lanes; lane++) {
                Random random = new Random(seed + lane);
                Path state = Files.createDirectories(work.resolve("state-" + lane));
                threads.add(Thread.ofPlatform().name("storm-" + lane).start(() -> {
                    try {
                        for (long number; (number = numbers.incrementAndGet()) <= cycles; ) {
                            Moment moment = Moment.values()[random.nextInt(Moment.values().length)];
                            Cycle cycle;
                            try {
                                cycle = cycle(random, moment, postgres.jdbcUrl(), state, startMillis);
                            } catch (BrokenOff e) {
                                // counted and reported, and the lane goes on: one failed start must not end the storm
                                brokenOff.add("cycle %d (%s): %s".formatted(number, moment, e.getMessage()));
                                System.out.printf("storm cycle %d/%d: %s BROKEN OFF: %s%n", number, cycles, moment, e.getMessage());
                                continue;
                            }
                            done.add(cycle);
                            System.out.printf("storm cycle %d/%d: %s %s -> exit %d in %d ms%s%n", number, cycles, moment,
                                    cycle.signals(), cycle.exitStatus(), cycle.signalToExit().toMillis(),
                                    cycle.obeyed() ? "" : " NOT OBEYED:\n" + cycle.output());
                        }
                    } catch (Exception | AssertionError e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            if (!errors.isEmpty()) {
                throw new IllegalStateException("a storm lane failed", errors.getFirst());
            }
            return new Result(List.copyOf(done), List.copyOf(brokenOff));
        }
    }

    /** One plain start (not counted) that opens the accounts and subscribes the receiver; returns its time to ready in ms. */
    private static long prepare(String jdbcUrl, Path state, WebhookReceiver receiver) throws Exception {
        long begin = System.nanoTime();
        try (ServiceProcess service = service(jdbcUrl, state).start().awaitReady(READY_WITHIN)) {
            long millis = (System.nanoTime() - begin) / 1_000_000;
            RestartHarness.prepare(service.httpPort(), receiver);
            service.signal("TERM");
            service.awaitExit(BUDGET.plus(GRACE));
            return millis;
        }
    }

    private static ServiceProcess.Builder service(String jdbcUrl, Path state) {
        ServiceProcess.Builder builder = ServiceProcess.builder().quiet().label("storm").stateDir(state)
                .env("LASTCALL_SHUTDOWN_TIMEOUT", BUDGET.toSeconds() + "s")
                .env("LASTCALL_HTTP_STOP_TIMEOUT", "5s");
        RestartHarness.serviceEnvironment(jdbcUrl).forEach(builder::env);
        // a start on a machine under a load of 30 has taken 12 s to reach the database
        return builder.env("LASTCALL_HTTP_DRAIN_DELAY", DRAIN_DELAY.toMillis() + "ms").env("LASTCALL_DB_CONNECT_TIMEOUT", "30s");
    }

    private static Cycle cycle(Random random, Moment moment, String jdbcUrl, Path state, long startMillis) throws Exception {
        String first = random.nextBoolean() ? "TERM" : "INT";
        AtomicLong signalled = new AtomicLong();
        ServiceProcess.Builder builder = service(jdbcUrl, state);
        ServiceProcess[] holder = new ServiceProcess[1];
        if (moment == Moment.READY) {
            builder.onLine(line -> {
                if (line.contains("ready in ") && signalled.get() == 0) {
                    signalled.set(System.nanoTime());
                    send(holder[0], first);
                }
            });
        }
        String signals = first;
        try (ServiceProcess service = builder.start()) {
            holder[0] = service;
            try {
                beforeExit(random, moment, service, first, signalled, startMillis);
            } catch (AssertionError | IOException e) {
                if (signalled.get() == 0) {
                    throw new BrokenOff(e.getMessage() + "\n" + service.output());
                }
                throw e;
            }
            if (moment == Moment.DRAIN) {
                Thread.sleep(random.nextInt((int) DRAIN_DELAY.toMillis() + 200));
                String second = random.nextBoolean() ? "TERM" : "INT";
                send(service, second);
                signals = first + "+" + second;
            }
            int status;
            try {
                status = service.awaitExit(BUDGET.plus(GRACE).plusSeconds(30));
            } catch (AssertionError e) {
                status = -1;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - signalled.get());
            Cycle cycle = new Cycle(moment, signals, took, status, "");
            return cycle.obeyed() ? cycle : new Cycle(moment, signals, took, status, service.output());
        }
    }

    /** Waits for the cycle's moment and sends the first signal. */
    private static void beforeExit(Random random, Moment moment, ServiceProcess service, String first, AtomicLong signalled,
            long startMillis) throws IOException, InterruptedException {
        switch (moment) {
            case START -> {
                Thread.sleep(random.nextLong(startMillis));
                signalled.set(System.nanoTime());
                send(service, first);
            }
            case READY -> service.awaitLine("ready in ", READY_WITHIN);
            case LOAD -> {
                service.awaitReady(READY_WITHIN);
                try (LoadClients load = LoadClients.start(service.httpPort(), 4, RestartHarness.ACCOUNTS, RestartHarness.CURRENCY)) {
                    Thread.sleep(random.nextInt(1000));
                    signalled.set(System.nanoTime());
                    send(service, first);
                    awaitExitQuietly(service);
                }
            }
            case ERROR, DRAIN -> {
                service.awaitReady(READY_WITHIN);
                if (moment == Moment.ERROR) {
                    errorAnswer(service.httpPort());
                }
                signalled.set(System.nanoTime());
                send(service, first);
            }
        }
    }

    /** The load runs until the exit; whether the exit came in time is the cycle's to judge. */
    private static void awaitExitQuietly(ServiceProcess service) throws InterruptedException {
        try {
            service.awaitExit(BUDGET.plus(GRACE).plusSeconds(30));
        } catch (AssertionError ignored) {
            // judged by the cycle
        }
    }

    /** A cycle that ended before its signal was sent: nothing to judge about the signal. */
    private static final class BrokenOff extends Exception {
        BrokenOff(String message) {
            super(message);
        }
    }

    /** A 404 problem; the launcher's benchmarks have no test fixtures on their class path, so plain java.net.http. */
    private static void errorAnswer(int port) throws IOException, InterruptedException {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/v1/accounts/no-such-account"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        }
    }

    /** SIGTERM straight from this JVM (no helper process in between, for the instant of readiness); SIGINT through kill. */
    private static void send(ServiceProcess service, String signal) {
        try {
            if (signal.equals("TERM")) {
                service.terminate();
            } else {
                service.signal(signal);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
