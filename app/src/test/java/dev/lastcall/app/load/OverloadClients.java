package dev.lastcall.app.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many keep-alive clients (a virtual thread and a connection each) sending {@code POST
 * /v1/transfers} between random pairs of accounts, each with a fresh Idempotency-Key, as fast as
 * they are answered, to overload the service. Each answer is sorted: admitted (201), refused (503
 * {@code overloaded}, checked to be a problem with {@code Retry-After}), or unexpected (any other
 * answer, a 503 that is not such a problem, a reset, a timeout). A refused client waits before its
 * next request: the {@code Retry-After} it was given, or a fixed pause.
 */
public final class OverloadClients implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 30_000;
    private static final Pattern TRANSFER_ID = Pattern.compile("\"id\":(\\d+)");

    private final int port;
    private final List<String> accounts;
    private final String currency;
    private final Duration pauseAfterRefusal;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    /** Idempotency-Key → transfer id, for every 201. */
    private final Map<String, Long> admitted = new ConcurrentHashMap<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Long> admittedMicros = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> refusedMicros = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();

    private OverloadClients(int port, List<String> accounts, String currency, Duration pauseAfterRefusal) {
        this.port = port;
        this.accounts = List.copyOf(accounts);
        this.currency = currency;
        this.pauseAfterRefusal = pauseAfterRefusal;
    }

    /**
     * @param pauseAfterRefusal how long a refused client waits; {@link Duration#ZERO} to wait what
     *     its {@code Retry-After} says, as a well-behaved client does
     */
    public static OverloadClients start(int port, int clients, List<String> accounts, String currency,
            Duration pauseAfterRefusal) {
        OverloadClients load = new OverloadClients(port, accounts, currency, pauseAfterRefusal);
        for (int i = 0; i < clients; i++) {
            load.threads.add(Thread.ofVirtual().name("overload-" + i).start(load::loop));
        }
        return load;
    }

    private void loop() {
        ClientConnection connection = null;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.get()) {
            String key = UUID.randomUUID().toString();
            int to = random.nextInt(accounts.size());
            int from = (to + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
            String body = "{\"from\":\"%s\",\"to\":\"%s\",\"amount\":%d,\"currency\":\"%s\",\"reference\":\"%s\"}"
                    .formatted(accounts.get(from), accounts.get(to), 1 + random.nextInt(100), currency, key);
            long begin = System.nanoTime();
            try {
                if (connection == null) {
                    connection = new ClientConnection(port, TIMEOUT_MILLIS);
                }
                ClientConnection.Response response = connection.exchange("POST /v1/transfers HTTP/1.1\r\nHost: lastcall\r\n"
                        + "Content-Type: application/json\r\nIdempotency-Key: " + key + "\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
                long micros = (System.nanoTime() - begin) / 1_000;
                if (response.closes()) {
                    connection.close();
                    connection = null;
                }
                if (response.status() == 201) {
                    admittedMicros.add(micros);
                    Matcher id = TRANSFER_ID.matcher(response.body());
                    if (id.find()) {
                        admitted.put(key, Long.parseLong(id.group(1)));
                    } else {
                        unexpected.add("201 without an id: " + response.body());
                    }
                } else if (response.status() == 503 && overloadedProblem(response)) {
                    refusedMicros.add(micros);
                    refused.add(key);
                    Thread.sleep(pauseAfterRefusal.isZero()
                            ? Duration.ofSeconds(Long.parseLong(response.header("retry-after").strip()))
                            : pauseAfterRefusal);
                } else {
                    unexpected.add("HTTP " + response.status() + " " + response.headers() + " " + response.body());
                }
            } catch (IOException | RuntimeException e) {
                unexpected.add(e.toString());
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (connection != null) {
            connection.close();
        }
    }

    private static boolean overloadedProblem(ClientConnection.Response response) {
        return response.header("content-type").startsWith("application/problem+json")
                && response.body().contains("\"code\":\"overloaded\"")
                && response.header("retry-after").strip().matches("[1-9][0-9]*");
    }

    /** Idempotency-Key → transfer id of every admitted (201) transfer. */
    public Map<String, Long> admitted() {
        return Map.copyOf(admitted);
    }

    /** Idempotency-Keys of the transfers refused with 503 {@code overloaded}. */
    public Set<String> refused() {
        return Set.copyOf(refused);
    }

    /** Everything that was neither a 201 nor a proper 503 {@code overloaded}, as seen. */
    public List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    public long[] admittedMicros() {
        return admittedMicros.stream().mapToLong(Long::longValue).toArray();
    }

    public long[] refusedMicros() {
        return refusedMicros.stream().mapToLong(Long::longValue).toArray();
    }

    /** Lets the clients run for {@code duration}, then stops them. */
    public OverloadClients closeAfter(Duration duration) throws InterruptedException {
        try {
            Thread.sleep(duration);
        } finally {
            close();
        }
        return this;
    }

    /**
     * Stops the clients after their current request and pause. Not by interrupting them: a virtual
     * thread interrupted in a socket read closes the socket, and an answer in flight would be lost.
     */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(Duration.ofMillis(TIMEOUT_MILLIS + 5_000));
        }
    }
}
