package dev.lastcall.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.lifecycle.StopReport;
import dev.lastcall.platform.outbox.Outbox;
import dev.lastcall.platform.outbox.TransferCreated;
import dev.lastcall.platform.testing.ApiContract.Exchange;
import dev.lastcall.platform.testing.ContractExchanges;
import dev.lastcall.platform.testing.TestService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The platform and the webhooks module in this JVM ({@link TestService}), with a client for the
 * {@code /v1/webhooks} API, and transfers published to the outbox the way the ledger publishes
 * them: in a transaction.
 */
final class WebhooksService implements AutoCloseable {

    /** Short delays and timeouts for tests; private networks allowed (the receiver is on loopback). */
    static Map<String, String> testSettings(String databaseUrl, Path stateDir) {
        Map<String, String> settings = new HashMap<>();
        settings.put("LASTCALL_HTTP_PORT", "0");
        settings.put("LASTCALL_ADMIN_PORT", "0");
        settings.put("LASTCALL_HTTP_STOP_TIMEOUT", "2s");
        settings.put("LASTCALL_STATE_DIR", stateDir.toString());
        settings.put("LASTCALL_DB_URL", databaseUrl);
        settings.put("LASTCALL_DB_USER", "postgres");
        settings.put("LASTCALL_WORKERS_STOP_TIMEOUT", "2s");
        settings.put("LASTCALL_SHUTDOWN_TIMEOUT", "10s");
        settings.put("LASTCALL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true");
        settings.put("LASTCALL_WEBHOOKS_REQUEST_TIMEOUT", "1s");
        settings.put("LASTCALL_WEBHOOKS_LEASE", "3s");
        settings.put("LASTCALL_WEBHOOKS_MAX_ATTEMPTS", "5");
        settings.put("LASTCALL_WEBHOOKS_RETRY_BASE_DELAY", "200ms");
        settings.put("LASTCALL_WEBHOOKS_RETRY_MAX_DELAY", "1s");
        settings.put("LASTCALL_WEBHOOKS_POLL_INTERVAL", "50ms");
        settings.put("LASTCALL_WEBHOOKS_BATCH_SIZE", "20");
        return settings;
    }

    record Answer(int status, HttpHeaders headers, JsonNode body) {

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        Optional<String> contentType() {
            return header("Content-Type");
        }

        Optional<String> location() {
            return header("Location");
        }
    }

    private static final AtomicLong TRANSFER_IDS = new AtomicLong();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final TestService service;
    private final ObjectMapper mapper = new ObjectMapper();
    private final URI base;

    private WebhooksService(TestService service) {
        this.service = service;
        this.base = service.uri("/");
    }

    static WebhooksService start(Map<String, String> environment) throws Exception {
        return new WebhooksService(TestService.builder().env(environment).module(WebhooksModule::new).start());
    }

    <T> T get(Class<T> type) {
        return service.get(type);
    }

    URI adminUri(String path) {
        return service.adminUri(path);
    }

    /** Publishes a transfer.created event in its own committed transaction; returns the event id. */
    UUID publishTransfer() {
        Outbox outbox = service.get(Outbox.class);
        TransferCreated transfer = transfer();
        return service.transactions().execute(tx -> outbox.publish(tx, TransferCreated.TYPE, transfer));
    }

    /** A transfer.created payload with an id of its own, between accounts no other one uses. */
    static TransferCreated transfer() {
        return new TransferCreated(TRANSFER_IDS.incrementAndGet(), "from-" + UUID.randomUUID(),
                "to-" + UUID.randomUUID(), 1250, "EUR", "invoice 42", Instant.now());
    }

    StopReport stop() {
        return service.stop();
    }

    @Override
    public void close() {
        service.close();
    }

    Answer post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Answer delete(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
    }

    Answer method(String method, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    Answer method(String method, String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)));
    }

    /** Sends the request; its answer is checked against the contract ({@link ContractExchanges}) before the test sees it. */
    private Answer send(HttpRequest.Builder builder) throws IOException, InterruptedException {
        HttpRequest request = builder.timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        ContractExchanges.check(new Exchange(request.method(), request.uri().getRawPath()
                + (request.uri().getRawQuery() == null ? "" : "?" + request.uri().getRawQuery()),
                response.statusCode(), response.headers().map(), response.body()));
        JsonNode body = response.body().isEmpty() ? mapper.nullNode() : mapper.readTree(response.body());
        return new Answer(response.statusCode(), response.headers(), body);
    }
}
