package dev.lastcall.app.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keep-alive clients, each on its own persistent HTTP/1.1 connection, sending a mix of {@code POST
 * /v1/transfers} (fresh Idempotency-Key each, which is also the transfer's reference) and {@code GET
 * /v1/accounts/{code}}, or transfers only: between random pairs of accounts, or all from one. A
 * connection the server closes after a {@code Connection: close} response is reopened for the next
 * request; anything else that goes wrong is a failure: a 5xx, a reset, a refused connection, a
 * timeout.
 */
public final class LoadClients implements AutoCloseable {

    /** A failed request: when it was sent and when it failed (System.nanoTime), and how. */
    public record Failure(long sentNanos, long atNanos, String what) {}

    /**
     * An answered request: sent and answered (System.nanoTime), a transfer or a balance read, and
     * how long opening its connection took (0: it went on an open one), and whether the answer
     * closed the connection (a draining process answers so).
     */
    public record Timing(long beginNanos, long endNanos, boolean transfer, long connectNanos, boolean closed) {
        long nanos() {
            return endNanos - beginNanos;
        }

        boolean overlaps(long[] window) {
            return beginNanos < window[1] && endNanos > window[0];
        }

        /** What it was and where its time went, e.g. "a transfer on a new connection (connected in 12 ms)". */
        public String what() {
            String kind = transfer ? "a transfer" : "a balance read";
            String sent = connectNanos == 0 ? kind + " on an open connection"
                    : "%s on a new connection (connected in %.0f ms)".formatted(kind, connectNanos / 1e6);
            return closed ? sent + ", answered with Connection: close" : sent;
        }
    }

    private static final int TIMEOUT_MILLIS = 30_000;
    private static final Pattern TRANSFER_ID = Pattern.compile("\"id\":\"?(\\d+)");
    private static final Duration PAUSE_AFTER_FAILURE = Duration.ofMillis(20);

    private final int port;
    private final List<String> accounts;
    private final String currency;
    private final boolean transfersOnly;
    /** The account every transfer debits; none: each transfer's pair is drawn at random. */
    private final Optional<String> source;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retriedOnReusedConnections = new AtomicLong();
    private final ConcurrentLinkedQueue<Long> latenciesMicros = new ConcurrentLinkedQueue<>();
    /** Every answered request, for latencies inside given windows. */
    private final ConcurrentLinkedQueue<Timing> timings = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    /** Idempotency-Key → transfer id, for every transfer a client saw acknowledged (201). */
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    /** Idempotency-Key → the whole request, for every transfer sent whose answer never came. */
    private final Map<String, String> unanswered = new ConcurrentHashMap<>();

    private LoadClients(int port, List<String> accounts, String currency, boolean transfersOnly, Optional<String> source) {
        this.port = port;
        this.accounts = List.copyOf(accounts);
        this.currency = currency;
        this.transfersOnly = transfersOnly;
        this.source = source;
    }

    /**
     * Starts {@code clients} clients: two requests in three move small amounts from {@code world}
     * to one of {@code accounts}, the third reads one's balance.
     */
    public static LoadClients start(int port, int clients, List<String> accounts, String currency) {
        return new LoadClients(port, accounts, currency, false, Optional.of("world")).startThreads(clients);
    }

    /** Starts {@code clients} clients moving small amounts between random pairs of {@code accounts}, nothing else. */
    public static LoadClients transfersBetween(int port, int clients, List<String> accounts, String currency) {
        if (accounts.size() < 2) {
            throw new IllegalArgumentException("transfers need two accounts at least");
        }
        return new LoadClients(port, accounts, currency, true, Optional.empty()).startThreads(clients);
    }

    /**
     * Starts {@code clients} clients moving small amounts from {@code source} to one of {@code
     * accounts}, nothing else: every transfer debits the same account (a hot account).
     */
    public static LoadClients transfersFrom(int port, int clients, String source, List<String> accounts, String currency) {
        if (accounts.isEmpty() || accounts.contains(source)) {
            throw new IllegalArgumentException("transfers from " + source + " need accounts other than it");
        }
        return new LoadClients(port, accounts, currency, true, Optional.of(source)).startThreads(clients);
    }

    private LoadClients startThreads(int clients) {
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().name("load-" + i).start(this::loop));
        }
        return this;
    }

    private void loop() {
        ClientConnection connection = null;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.get()) {
            boolean transfer = transfersOnly || random.nextInt(3) != 0;
            // not UUID.randomUUID(): its one SecureRandom, shared by every client thread, serialised them
            String key = new UUID(random.nextLong(), random.nextLong()).toString();
            int to = random.nextInt(accounts.size());
            String request;
            if (!transfer) {
                request = balanceRequest(accounts.get(to));
            } else if (source.isPresent()) {
                request = transferRequest(key, source.get(), accounts.get(to), 1 + random.nextInt(100));
            } else {
                int from = (to + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
                request = transferRequest(key, accounts.get(from), accounts.get(to), 1 + random.nextInt(100));
            }
            long begin = System.nanoTime();
            boolean sent = false;
            long connectNanos = 0;
            try {
                if (connection == null) {
                    connection = new ClientConnection(port, TIMEOUT_MILLIS);
                    connectNanos = System.nanoTime() - begin;
                }
                sent = true;
                ClientConnection.Response response;
                try {
                    response = connection.exchange(request);
                } catch (ClientConnection.NoAnswerOnReusedConnection race) {
                    // HTTP/1.1's one race: the server closed this idle connection as the request
                    // left; nothing was read, so the request is sent again once, as real clients do
                    retriedOnReusedConnections.incrementAndGet();
                    connection.close();
                    long reconnecting = System.nanoTime();
                    connection = new ClientConnection(port, TIMEOUT_MILLIS);
                    connectNanos += System.nanoTime() - reconnecting;
                    response = connection.exchange(request);
                }
                requests.incrementAndGet();
                long end = System.nanoTime();
                latenciesMicros.add((end - begin) / 1_000);
                timings.add(new Timing(begin, end, transfer, connectNanos, response.closes()));
                if (response.status() >= 500 || (transfer && response.status() != 201) || (!transfer && response.status() != 200)) {
                    failures.add(new Failure(begin, System.nanoTime(), "HTTP " + response.status() + " " + response.body()));
                } else if (transfer) {
                    acknowledged.put(key, transferId(response.body()));
                }
                if (response.closes()) {
                    connection.close();
                    connection = null;
                }
            } catch (IOException | RuntimeException e) {
                requests.incrementAndGet();
                failures.add(new Failure(begin, System.nanoTime(), e.toString()));
                if (transfer && sent) {
                    unanswered.put(key, request);
                }
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
                pauseAfterFailure();
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    private static long transferId(String body) {
        Matcher id = TRANSFER_ID.matcher(body);
        if (!id.find()) {
            throw new IllegalStateException("no transfer id in a 201's body: " + body);
        }
        return Long.parseLong(id.group(1));
    }

    /** Keeps a client from spinning on a port nobody listens on (a killed service): each failure is one try. */
    private static void pauseAfterFailure() {
        try {
            Thread.sleep(PAUSE_AFTER_FAILURE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String transferRequest(String key, String from, String to, int amount) {
        String body = "{\"from\":\"%s\",\"to\":\"%s\",\"amount\":%d,\"currency\":\"%s\",\"reference\":\"%s\"}"
                .formatted(from, to, amount, currency, key);
        return "POST /v1/transfers HTTP/1.1\r\nHost: lastcall\r\nContent-Type: application/json\r\n"
                + "Idempotency-Key: " + key + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\n\r\n" + body;
    }

    private static String balanceRequest(String account) {
        return "GET /v1/accounts/" + account + " HTTP/1.1\r\nHost: lastcall\r\n\r\n";
    }

    /**
     * Requests sent again because a reused keep-alive connection was closed before any byte of
     * their answer (README: what a client must retry): idempotent here, each transfer has its key.
     */
    public long retriedOnReusedConnections() {
        return retriedOnReusedConnections.get();
    }

    public long requests() {
        return requests.get();
    }

    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    public Map<String, Long> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    /**
     * Transfers that were sent (the connection was open) but got no answer: applied or not, the
     * client cannot tell. Idempotency-Key → the whole HTTP request, to send again as is.
     */
    public Map<String, String> unanswered() {
        return Map.copyOf(unanswered);
    }

    /** Every answered request's latency in microseconds, in no particular order. */
    public long[] latenciesMicros() {
        return latenciesMicros.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Latencies in microseconds of the answered requests that overlapped any of {@code windows}
     * (each {begin, end} in System.nanoTime), or, with {@code inside} false, of those that overlapped none.
     */
    public long[] latenciesMicros(List<long[]> windows, boolean inside) {
        return timings.stream()
                .filter(t -> windows.stream().anyMatch(t::overlaps) == inside)
                .mapToLong(t -> t.nanos() / 1_000)
                .toArray();
    }

    /**
     * The slowest answered request of each window, for the {@code count} windows whose slowest was
     * slowest: one bad reload cannot fill the list alone.
     */
    public List<Timing> slowestPerWindow(List<long[]> windows, int count) {
        return windows.stream()
                .flatMap(window -> timings.stream().filter(t -> t.overlaps(window))
                        .max(Comparator.comparingLong(Timing::nanos)).stream())
                .sorted(Comparator.comparingLong(Timing::nanos).reversed())
                .limit(count)
                .toList();
    }

    /** p50, p99 and max latency in milliseconds. */
    public double[] latencyMillis() {
        return percentilesMillis(latenciesMicros());
    }

    /** p50, p99 and max in milliseconds of latencies in microseconds. */
    public static double[] percentilesMillis(long[] micros) {
        long[] sorted = micros.clone();
        Arrays.sort(sorted);
        if (sorted.length == 0) {
            return new double[] {0, 0, 0};
        }
        return new double[] {
            sorted[sorted.length / 2] / 1000.0,
            sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] / 1000.0,
            sorted[sorted.length - 1] / 1000.0
        };
    }

    /** Stops the clients after their current request. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(TIMEOUT_MILLIS / 1000 + 5));
        }
    }
}
