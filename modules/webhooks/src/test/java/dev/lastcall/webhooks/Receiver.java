package dev.lastcall.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * A webhook receiver over real HTTP on loopback. Each endpoint (a path) verifies the Standard
 * Webhooks signature of every request with its subscription's secret, records what arrived, and
 * answers as the test tells it. It also records when two requests for the same webhook-id were in
 * progress at the same moment.
 */
final class Receiver implements AutoCloseable {

    /** How an endpoint answers: a status, after an optional pause. */
    interface Behaviour {
        Response answer(int attempt) throws InterruptedException;
    }

    /** A status, and for a redirect where it points. */
    record Response(int status, @Nullable String location) {
        Response(int status) {
            this(status, null);
        }
    }

    /** What arrived; {@code traceparent} is the header as sent, if it was. */
    record Delivery(String path, String webhookId, long timestamp, boolean signatureValid, JsonNode body, int answered,
            @Nullable String traceparent) {}

    private static final Duration SECRET_WAIT = Duration.ofSeconds(5);
    private static final Duration TIMESTAMP_TOLERANCE = Duration.ofMinutes(5);

    private final HttpServer server;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final List<String> overlaps = new CopyOnWriteArrayList<>();
    private final AtomicInteger active = new AtomicInteger();

    private final class Endpoint {
        private volatile String secret = "";
        private volatile Behaviour behaviour;
        private final AtomicInteger attempts = new AtomicInteger();

        Endpoint(Behaviour behaviour) {
            this.behaviour = behaviour;
        }
    }

    private Receiver(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
    }

    static Receiver start() throws IOException {
        Receiver receiver = new Receiver(0);
        receiver.server.start();
        return receiver;
    }

    /** A receiver on a given port that serves one endpoint from its first request: one that was down and comes back. */
    static Receiver startOn(int port, String path, String secret, Behaviour behaviour) throws IOException {
        Receiver receiver = new Receiver(port);
        receiver.endpoint(path, behaviour);
        receiver.secret(path, secret);
        receiver.server.start();
        return receiver;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Adds an endpoint and returns its URL; tell it the secret once the subscription exists. */
    String endpoint(String path, Behaviour behaviour) {
        endpoints.put(path, new Endpoint(behaviour));
        return "http://127.0.0.1:%d%s".formatted(port(), path);
    }

    void secret(String path, String secret) {
        endpoints.get(path).secret = secret;
    }

    void behave(String path, Behaviour behaviour) {
        endpoints.get(path).behaviour = behaviour;
    }

    List<Delivery> deliveries(String path) {
        return deliveries.stream().filter(d -> d.path().equals(path)).toList();
    }

    /** The deliveries to {@code path} that the receiver answered with 2xx. */
    List<Delivery> accepted(String path) {
        return deliveries(path).stream().filter(d -> d.answered() >= 200 && d.answered() < 300).toList();
    }

    List<String> overlaps() {
        return List.copyOf(overlaps);
    }

    int active() {
        return active.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Endpoint endpoint = endpoints.get(path);
            byte[] raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = in.readAllBytes();
            }
            if (endpoint == null || !exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String id = String.valueOf(exchange.getRequestHeaders().getFirst("webhook-id"));
            String key = path + " " + id;
            active.incrementAndGet();
            if (inFlight.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlaps.add(key);
            }
            try {
                String body = new String(raw, StandardCharsets.UTF_8);
                String timestampHeader = String.valueOf(exchange.getRequestHeaders().getFirst("webhook-timestamp"));
                long timestamp = timestampHeader.matches("\\d+") ? Long.parseLong(timestampHeader) : -1;
                boolean valid = verify(awaitSecret(endpoint), id, timestampHeader, body,
                        String.valueOf(exchange.getRequestHeaders().getFirst("webhook-signature")))
                        && "application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))
                        && Math.abs(Instant.now().getEpochSecond() - timestamp) <= TIMESTAMP_TOLERANCE.toSeconds();
                Response response = valid ? endpoint.behaviour.answer(endpoint.attempts.incrementAndGet()) : new Response(400);
                deliveries.add(new Delivery(path, id, timestamp, valid, mapper.readTree(body), response.status(),
                        exchange.getRequestHeaders().getFirst("traceparent")));
                if (response.location() != null) {
                    exchange.getResponseHeaders().set("Location", response.location());
                }
                exchange.sendResponseHeaders(response.status(), -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.get(key).decrementAndGet();
                active.decrementAndGet();
            }
        }
    }

    private static String awaitSecret(Endpoint endpoint) throws InterruptedException {
        long until = System.nanoTime() + SECRET_WAIT.toNanos();
        while (endpoint.secret.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        return endpoint.secret;
    }

    /** Verification as a receiver would write it from the specification, independent of the sender's code. */
    private static boolean verify(String secret, String id, String timestamp, String body, String signatureHeader) {
        if (!secret.startsWith("whsec_")) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
            byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            for (String signature : signatureHeader.split(" ")) {
                if (signature.startsWith("v1,") && MessageDigest.isEqual(expected,
                        Base64.getDecoder().decode(signature.substring(3)))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
