package dev.lastcall.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.context.RequestContext;
import dev.lastcall.platform.context.RequestId;
import dev.lastcall.platform.context.TraceParent;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.lifecycle.StopReport;
import dev.lastcall.platform.outbox.Outbox;
import dev.lastcall.platform.outbox.TransferCreated;
import dev.lastcall.platform.testing.Scrape;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The webhooks module in the real service (platform + webhooks through Guice and the lifecycle),
 * against a real PostgreSQL, delivering over real HTTP to a receiver that verifies every signature.
 */
class WebhooksIT {

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final String TRANSFERS = "{\"url\":\"%s\",\"events\":[\"transfer.created\"]}";

    private static EmbeddedPostgres postgres;
    private static String databaseUrl;

    @TempDir
    Path stateDir;

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<WebhooksService> services = new ArrayList<>();
    private Receiver receiver;

    @BeforeAll
    static void startDatabase() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
        databaseUrl = postgres.getJdbcUrl("postgres", "postgres");
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        postgres.close();
    }

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = Receiver.start();
    }

    @AfterEach
    void stopEverythingAndForgetSubscriptionsAndUntakenEvents() throws SQLException {
        services.forEach(WebhooksService::stop);
        receiver.close();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM webhook_subscriptions");
            statement.executeUpdate("DELETE FROM outbox_pending");
        }
    }

    private WebhooksService service() throws Exception {
        return service(Map.of());
    }

    private WebhooksService service(Map<String, String> overrides) throws Exception {
        Map<String, String> settings = new HashMap<>(WebhooksService.testSettings(databaseUrl,
                stateDir.resolve("service-" + services.size())));
        settings.putAll(overrides);
        WebhooksService service = WebhooksService.start(settings);
        services.add(service);
        return service;
    }

    /** Subscribes {@code path} of the receiver to transfers; returns the subscription id. */
    private String subscribe(WebhooksService service, String path, Receiver.Behaviour behaviour) throws Exception {
        WebhooksService.Answer created = service.post("/v1/webhooks", TRANSFERS.formatted(receiver.endpoint(path, behaviour)));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        receiver.secret(path, created.body().get("secret").asText());
        return created.body().get("id").asText();
    }

    private static Receiver.Behaviour answering(int status) {
        return attempt -> new Receiver.Response(status);
    }

    private List<JsonNode> deliveries(WebhooksService service, String subscription, String query) throws Exception {
        WebhooksService.Answer answer = service.get("/v1/webhooks/%s/deliveries%s".formatted(subscription, query));
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        List<JsonNode> deliveries = new ArrayList<>();
        answer.body().get("deliveries").forEach(deliveries::add);
        return deliveries;
    }

    private static Set<String> ids(List<Receiver.Delivery> deliveries) {
        return deliveries.stream().map(Receiver.Delivery::webhookId).collect(Collectors.toSet());
    }

    private static Set<String> strings(List<UUID> ids) {
        return ids.stream().map(UUID::toString).collect(Collectors.toSet());
    }

    @Test
    void everyCommittedEventReachesEveryMatchingSubscriptionSignedWithItsIdAndPayload() throws Exception {
        WebhooksService service = service();
        String first = subscribe(service, "/first", answering(200));
        String second = subscribe(service, "/second", answering(204));
        Map<UUID, TransferCreated> published = new HashMap<>();
        Outbox outbox = service.get(Outbox.class);
        Transactions transactions = service.get(Transactions.class);
        for (int i = 0; i < 8; i++) {
            TransferCreated transfer = WebhooksService.transfer();
            published.put(transactions.execute(tx -> outbox.publish(tx, "transfer.created", transfer)), transfer);
        }
        UUID rolledBack = UUID.randomUUID();
        try {
            transactions.execute(tx -> {
                outbox.publish(tx, "transfer.created", Map.of("id", rolledBack.toString()));
                throw new IllegalStateException("the transfer failed, so its event must not exist");
            });
        } catch (IllegalStateException expected) {
            // the event went with the transaction
        }

        Set<String> expected = strings(List.copyOf(published.keySet()));
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(ids(receiver.accepted("/first"))).containsAll(expected);
            assertThat(ids(receiver.accepted("/second"))).containsAll(expected);
        });
        for (Receiver.Delivery delivery : receiver.deliveries("/first")) {
            assertThat(delivery.signatureValid()).as("signature of %s", delivery.webhookId()).isTrue();
            assertThat(delivery.body().get("type").asText()).isEqualTo("transfer.created");
            assertThat(Instant.parse(delivery.body().get("timestamp").asText())).isBefore(Instant.now());
            TransferCreated transfer = published.get(UUID.fromString(delivery.webhookId()));
            assertThat(delivery.body().get("data")).isEqualTo(mapper.readTree("""
                    {"id":%d,"from":"%s","to":"%s","amount":%d,"currency":"%s","reference":"%s","createdAt":"%s"}"""
                    .formatted(transfer.id(), transfer.from(), transfer.to(), transfer.amount(), transfer.currency(),
                            transfer.reference(), transfer.createdAt())));
        }
        assertThat(receiver.deliveries("/second")).allMatch(Receiver.Delivery::signatureValid);
        assertThat(ids(receiver.deliveries("/first"))).doesNotContain(rolledBack.toString());

        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(deliveries(service, first, "?status=delivered")).hasSize(8);
            assertThat(deliveries(service, second, "?status=delivered")).hasSize(8);
        });
        JsonNode newest = deliveries(service, first, "?limit=1").getFirst();
        assertThat(newest.get("attempts").asInt()).isEqualTo(1);
        assertThat(newest.get("lastStatusCode").asInt()).isEqualTo(200);
        assertThat(expected).contains(newest.get("eventId").asText());
    }

    @Test
    void aBacklogIsDeliveredBatchAfterBatchWithoutWaitingForThePollInterval() throws Exception {
        WebhooksService service = service(Map.of("LASTCALL_WEBHOOKS_POLL_INTERVAL", "1s", "LASTCALL_WEBHOOKS_BATCH_SIZE", "5"));
        subscribe(service, "/backlog", answering(204));
        Outbox outbox = service.get(Outbox.class);
        List<UUID> published = service.get(Transactions.class).execute(tx -> {
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                ids.add(outbox.publish(tx, "transfer.created", WebhooksService.transfer()));
            }
            return ids;
        });

        // a batch of 5 a second would take 20 s to fan out alone
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(ids(receiver.accepted("/backlog"))).containsAll(strings(published)));
    }

    @Test
    void whileTheReceiverIsDownAttemptsBackOffThenTheEventIsDeliveredWhenItIsBack() throws Exception {
        WebhooksService service = service();
        int port;
        try (Receiver gone = Receiver.start()) {
            port = gone.port();
        }
        WebhooksService.Answer created = service.post("/v1/webhooks",
                TRANSFERS.formatted("http://127.0.0.1:%d/back".formatted(port)));
        assertThat(created.status()).isEqualTo(201);
        String subscription = created.body().get("id").asText();
        UUID event = service.publishTransfer();

        await().atMost(PATIENCE).untilAsserted(() -> {
            JsonNode delivery = deliveries(service, subscription, "").getFirst();
            assertThat(delivery.get("status").asText()).isEqualTo("pending");
            assertThat(delivery.get("attempts").asInt()).isGreaterThanOrEqualTo(2);
        });
        JsonNode pending = deliveries(service, subscription, "").getFirst();
        assertThat(pending.get("lastError").asText()).startsWith("connection failed");
        int attempts = pending.get("attempts").asInt();
        Duration wait = Duration.between(Instant.parse(pending.get("lastAttemptAt").asText()),
                Instant.parse(pending.get("nextAttemptAt").asText()));
        Duration ceiling = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(1)).ceiling(attempts);
        assertThat(wait).as("backoff after %d attempts", attempts).isBetween(ceiling.dividedBy(2), ceiling);

        try (Receiver back = Receiver.startOn(port, "/back", created.body().get("secret").asText(), answering(200))) {
            await().atMost(PATIENCE).untilAsserted(() ->
                    assertThat(deliveries(service, subscription, "?status=delivered")).hasSize(1));
            assertThat(back.accepted("/back")).singleElement().satisfies(delivery -> {
                assertThat(delivery.webhookId()).isEqualTo(event.toString());
                assertThat(delivery.signatureValid()).isTrue();
            });
            assertThat(deliveries(service, subscription, "").getFirst().get("attempts").asInt()).isGreaterThan(attempts);
        }
    }

    @Test
    void everyAttemptForAnEventOfATracedRequestIsANewChildSpanOfTheRequestsSpan() throws Exception {
        WebhooksService service = service();
        subscribe(service, "/traced", attempt -> new Receiver.Response(attempt == 1 ? 503 : 204));
        TraceParent caller = TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").orElseThrow();
        RequestContext request = RequestContext.of(new RequestId("traced-1"), Optional.of(caller));
        TraceParent requestSpan = request.span().orElseThrow();

        UUID event = request.call(service::publishTransfer);

        await().atMost(PATIENCE).until(() -> receiver.accepted("/traced").size() == 1);
        List<Receiver.Delivery> attempts = receiver.deliveries("/traced");
        assertThat(attempts).hasSize(2).allSatisfy(attempt -> {
            assertThat(attempt.webhookId()).isEqualTo(event.toString());
            TraceParent sent = TraceParent.parse(String.valueOf(attempt.traceparent())).orElseThrow();
            assertThat(sent.traceId()).isEqualTo(caller.traceId());
            assertThat(sent.sampled()).isTrue();
            assertThat(sent.spanId()).isNotIn(caller.spanId(), requestSpan.spanId());
        });
        assertThat(attempts.get(0).traceparent()).isNotEqualTo(attempts.get(1).traceparent());
        // what each attempt's span is a child of: the request's span, kept with the event and its delivery
        assertThat(storedTraceparents("SELECT traceparent FROM outbox_events WHERE event_id = ?", event))
                .containsExactly(requestSpan.header());
        assertThat(storedTraceparents("SELECT traceparent FROM webhook_deliveries WHERE event_id = ?", event))
                .containsExactly(requestSpan.header());
    }

    @Test
    void anEventPublishedWithoutATraceIsDeliveredWithoutTraceparent() throws Exception {
        WebhooksService service = service();
        subscribe(service, "/untraced", answering(204));

        UUID event = RequestContext.of(new RequestId("untraced-1"), Optional.empty()).call(service::publishTransfer);

        await().atMost(PATIENCE).until(() -> receiver.accepted("/untraced").size() == 1);
        assertThat(receiver.accepted("/untraced").getFirst().webhookId()).isEqualTo(event.toString());
        assertThat(receiver.accepted("/untraced").getFirst().traceparent()).isNull();
    }

    private static List<String> storedTraceparents(String query, UUID event) throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                PreparedStatement select = connection.prepareStatement(query)) {
            select.setObject(1, event);
            List<String> values = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        }
    }

    @Test
    void aReceiverThatAnswersGoneDisablesItsSubscription() throws Exception {
        WebhooksService service = service();
        String subscription = subscribe(service, "/gone", answering(410));
        for (int i = 0; i < 3; i++) {
            service.publishTransfer();
        }

        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(service.get("/v1/webhooks/" + subscription).body().get("status").asText()).isEqualTo("disabled"));
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(deliveries(service, subscription, "?status=failed")).hasSize(3));
        assertThat(deliveries(service, subscription, "")).anySatisfy(delivery -> {
            assertThat(delivery.path("lastStatusCode").asInt()).isEqualTo(410);
            assertThat(delivery.get("lastError").asText()).contains("410");
        });
        int requests = receiver.deliveries("/gone").size();
        assertThat(requests).isBetween(1, 3);

        service.publishTransfer();
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(receiver.deliveries("/gone")).hasSize(requests);
            assertThat(deliveries(service, subscription, "")).hasSize(3);
        });
    }

    @Test
    void metricsCountDeliveriesByOutcomeTimeAttemptsAndShowPendingDeliveriesAndDisabledSubscriptions() throws Exception {
        // enough attempts that the failing deliveries stay pending while the test looks
        WebhooksService service = service(Map.of("LASTCALL_WEBHOOKS_MAX_ATTEMPTS", "12"));
        subscribe(service, "/ok", answering(204));
        subscribe(service, "/gone", answering(410));
        subscribe(service, "/flaky", answering(500));
        service.publishTransfer();
        service.publishTransfer();

        await().atMost(PATIENCE).untilAsserted(() -> {
            Scrape scrape = Scrape.of(service.adminUri("/metrics"));
            assertThat(scrape.value("lastcall_webhooks_deliveries_total", "outcome", "delivered")).hasValue(2);
            // both deliveries to /gone may be attempted at once, before the first 410 disables the subscription
            assertThat(scrape.value("lastcall_webhooks_deliveries_total", "outcome", "gone").orElseThrow())
                    .isBetween(1.0, 2.0);
            assertThat(scrape.value("lastcall_webhooks_deliveries_total", "outcome", "retry").orElseThrow())
                    .isGreaterThanOrEqualTo(2);
            assertThat(scrape.value("lastcall_webhooks_attempt_duration_seconds_count", "outcome", "delivered"))
                    .hasValue(2);
            assertThat(scrape.value("lastcall_webhooks_attempt_duration_seconds_sum", "outcome", "delivered")
                    .orElseThrow()).isPositive();
            assertThat(scrape.value("lastcall_webhooks_subscriptions_disabled")).hasValue(1);
            assertThat(scrape.value("lastcall_webhooks_deliveries_pending").orElseThrow()).isBetween(1.0, 2.0);
            assertThat(scrape.value("lastcall_outbox_pending", "consumer", FanOutJob.CONSUMER)).hasValue(0);
            assertThat(scrape.value("lastcall_job_runs_total", "job", DeliveryJob.NAME, "outcome", "success")
                    .orElseThrow()).isPositive();
        });
    }

    @Test
    void aDeliveryIsMarkedFailedWithItsLastErrorAfterMaxAttempts() throws Exception {
        WebhooksService service = service();
        String subscription = subscribe(service, "/broken", answering(500));
        UUID event = service.publishTransfer();

        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(deliveries(service, subscription, "?status=failed")).hasSize(1));
        JsonNode failed = deliveries(service, subscription, "?status=failed").getFirst();
        assertThat(failed.get("eventId").asText()).isEqualTo(event.toString());
        assertThat(failed.get("attempts").asInt()).isEqualTo(5);
        assertThat(failed.get("lastStatusCode").asInt()).isEqualTo(500);
        assertThat(failed.get("lastError").asText()).isEqualTo("HTTP 500");
        assertThat(failed.has("nextAttemptAt")).isFalse();
        assertThat(deliveries(service, subscription, "?status=pending")).isEmpty();
        assertThat(receiver.deliveries("/broken"))
                .hasSize(5)
                .allSatisfy(delivery -> {
                    assertThat(delivery.webhookId()).isEqualTo(event.toString());
                    assertThat(delivery.signatureValid()).isTrue();
                });
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 307, 308, 404})
    void anAnswerNeither2xxNor410IsNoDeliveryAndARedirectIsNotFollowed(int status) throws Exception {
        WebhooksService service = service();
        String landing = receiver.endpoint("/landing", answering(200));
        String subscription = subscribe(service, "/moved", attempt -> new Receiver.Response(status, landing));
        UUID event = service.publishTransfer();

        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(deliveries(service, subscription, "?status=failed")).hasSize(1));
        JsonNode failed = deliveries(service, subscription, "?status=failed").getFirst();
        assertThat(failed.get("eventId").asText()).isEqualTo(event.toString());
        assertThat(failed.get("lastStatusCode").asInt()).isEqualTo(status);
        assertThat(failed.get("lastError").asText())
                .isEqualTo(status < 400 ? "HTTP %d (redirects are not followed)".formatted(status) : "HTTP " + status);
        assertThat(deliveries(service, subscription, "?status=delivered")).isEmpty();
        assertThat(receiver.deliveries("/moved")).hasSize(failed.get("attempts").asInt());
        assertThat(receiver.deliveries("/landing")).isEmpty();
    }

    @Test
    void aStopDuringSlowDeliveriesEndsWithinItsBudgetAndTheNextProcessDeliversEveryEvent() throws Exception {
        WebhooksService first = service();
        CountDownLatch release = new CountDownLatch(1);
        String subscription = subscribe(first, "/slow", attempt -> {
            release.await(30, TimeUnit.SECONDS);
            return new Receiver.Response(503);
        });
        List<UUID> events = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            events.add(first.publishTransfer());
        }
        await().atMost(PATIENCE).until(() -> receiver.active() == events.size());

        long begin = System.nanoTime();
        StopReport report = first.stop();
        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        // workers.stopTimeout is 2s; an attempt times out after webhooks.requestTimeout (1s).
        assertThat(took).as(report.summary()).isLessThan(Duration.ofSeconds(2));
        assertThat(report.complete()).as(report.summary()).isTrue();

        receiver.behave("/slow", answering(200));
        release.countDown();
        await().atMost(PATIENCE).until(() -> receiver.active() == 0);

        WebhooksService second = service();
        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(deliveries(second, subscription, "?status=delivered")).hasSize(5));
        assertThat(ids(receiver.accepted("/slow"))).containsExactlyInAnyOrderElementsOf(strings(events));
        assertThat(receiver.deliveries("/slow")).allMatch(Receiver.Delivery::signatureValid);
    }

    @Test
    void aRunCutByInterruptLeavesItsDeliveriesPendingUntilTheirLeaseExpires() throws Exception {
        // The scheduler's first run is an hour away: this test runs the jobs itself.
        WebhooksService service = service(Map.of("LASTCALL_WEBHOOKS_POLL_INTERVAL", "1h", "LASTCALL_WEBHOOKS_LEASE", "1500ms"));
        CountDownLatch release = new CountDownLatch(1);
        String subscription = subscribe(service, "/held", attempt -> {
            release.await(30, TimeUnit.SECONDS);
            return new Receiver.Response(503);
        });
        UUID event = service.publishTransfer();
        service.get(FanOutJob.class).run();

        Thread run = Thread.ofPlatform().start(() -> {
            try {
                service.get(DeliveryJob.class).run();
            } catch (InterruptedException expected) {
                // the cut this test makes
            }
        });
        await().atMost(PATIENCE).until(() -> receiver.active() == 1);
        run.interrupt();
        run.join(Duration.ofSeconds(2));
        assertThat(run.isAlive()).isFalse();
        receiver.behave("/held", answering(200));
        release.countDown();

        JsonNode cut = deliveries(service, subscription, "").getFirst();
        assertThat(cut.get("status").asText()).isEqualTo("pending");
        assertThat(cut.get("attempts").asInt()).isZero();

        service.get(DeliveryJob.class).run();
        assertThat(receiver.accepted("/held")).as("claimed again while its lease holds").isEmpty();

        Thread.sleep(Duration.ofMillis(1600));
        service.get(DeliveryJob.class).run();
        assertThat(ids(receiver.accepted("/held"))).containsExactly(event.toString());
        assertThat(deliveries(service, subscription, "?status=delivered")).hasSize(1);
    }

    @Test
    void twoProcessesOnOneDatabaseDeliverEveryEventExactlyOnceNeverAtTheSameTime() throws Exception {
        WebhooksService first = service();
        WebhooksService second = service();
        String subscription = subscribe(first, "/shared", attempt -> {
            Thread.sleep(ThreadLocalRandom.current().nextLong(10, 60));
            return new Receiver.Response(200);
        });
        List<UUID> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add((i % 2 == 0 ? first : second).publishTransfer());
        }

        await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(deliveries(second, subscription, "?status=delivered")).hasSize(40));
        assertThat(receiver.overlaps()).isEmpty();
        List<Receiver.Delivery> received = receiver.accepted("/shared");
        // No attempt failed, so nothing had a reason to be sent again.
        assertThat(received).hasSize(40).allMatch(Receiver.Delivery::signatureValid);
        assertThat(ids(received)).containsExactlyInAnyOrderElementsOf(strings(events));
    }

    @Test
    void theApiCreatesListsShowsAndDeletesSubscriptionsAndShowsTheSecretOnlyOnce() throws Exception {
        WebhooksService service = service(Map.of("LASTCALL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "false"));
        WebhooksService.Answer created = service.post("/v1/webhooks", TRANSFERS.formatted("https://203.0.113.7/hooks"));
        assertThat(created.status()).isEqualTo(201);
        JsonNode body = created.body();
        String id = body.get("id").asText();
        assertThat(created.location()).contains("/v1/webhooks/" + id);
        assertThat(body.get("url").asText()).isEqualTo("https://203.0.113.7/hooks");
        assertThat(body.get("events")).containsExactly(mapper.valueToTree("transfer.created"));
        assertThat(body.get("secret").asText()).matches("whsec_[A-Za-z0-9+/]{32}");
        assertThat(body.get("status").asText()).isEqualTo("active");
        assertThat(Instant.parse(body.get("createdAt").asText())).isBeforeOrEqualTo(Instant.now());

        WebhooksService.Answer shown = service.get("/v1/webhooks/" + id);
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.body().has("secret")).isFalse();
        assertThat(shown.body().get("url")).isEqualTo(body.get("url"));
        WebhooksService.Answer listed = service.get("/v1/webhooks");
        assertThat(listed.body().get("webhooks")).anySatisfy(webhook -> {
            assertThat(webhook.get("id").asText()).isEqualTo(id);
            assertThat(webhook.has("secret")).isFalse();
        });
        assertThat(deliveries(service, id, "")).isEmpty();

        assertThat(service.delete("/v1/webhooks/" + id).status()).isEqualTo(204);
        assertProblem(service.get("/v1/webhooks/" + id), 404, "webhook_not_found");
        assertProblem(service.delete("/v1/webhooks/" + id), 404, "webhook_not_found");
        assertProblem(service.get("/v1/webhooks/%s/deliveries".formatted(id)), 404, "webhook_not_found");
        assertThat(service.get("/v1/webhooks").body().get("webhooks").findValuesAsText("id")).doesNotContain(id);
    }

    @Test
    void badSubscriptionsAreRefusedWithTheCodeThatSaysWhy() throws Exception {
        WebhooksService service = service(Map.of("LASTCALL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "false"));
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(TRANSFERS.formatted("not a url"), "400 invalid_url");
        cases.put(TRANSFERS.formatted("/relative/hooks"), "400 invalid_url");
        cases.put(TRANSFERS.formatted("ftp://203.0.113.7/hooks"), "400 invalid_url");
        cases.put(TRANSFERS.formatted("https://user:pass@203.0.113.7/hooks"), "400 invalid_url");
        cases.put(TRANSFERS.formatted("http://127.0.0.1:%d/hooks".formatted(receiver.port())), "422 private_address");
        cases.put(TRANSFERS.formatted("http://localhost/hooks"), "422 private_address");
        cases.put(TRANSFERS.formatted("http://10.0.0.8/hooks"), "422 private_address");
        cases.put(TRANSFERS.formatted("http://169.254.169.254/latest/meta-data"), "422 private_address");
        cases.put(TRANSFERS.formatted("http://[fd00::1]/hooks"), "422 private_address");
        cases.put("{\"url\":\"https://203.0.113.7/hooks\",\"events\":[\"transfer.deleted\"]}", "400 unknown_event_type");
        cases.put("{\"url\":\"https://203.0.113.7/hooks\",\"events\":[]}", "400 invalid_request");
        cases.put("{\"url\":\"https://203.0.113.7/hooks\",\"events\":\"transfer.created\"}", "400 invalid_request");
        cases.put("{\"url\":\"https://203.0.113.7/hooks\"}", "400 invalid_request");
        cases.put("{\"events\":[\"transfer.created\"]}", "400 invalid_request");
        cases.put("{\"url\":\"https://203.0.113.7/hooks\",\"events\":[\"transfer.created\"],\"secret\":\"mine\"}",
                "400 invalid_request");
        cases.put("{\"url\":42,\"events\":[\"transfer.created\"]}", "400 invalid_request");
        cases.put("[]", "400 invalid_request");
        for (Map.Entry<String, String> refused : cases.entrySet()) {
            WebhooksService.Answer answer = service.post("/v1/webhooks", refused.getKey());
            String[] expected = refused.getValue().split(" ");
            assertThat(answer.status() + " " + answer.body().path("code").asText())
                    .as("%s -> %s", refused.getKey(), answer.body())
                    .isEqualTo(refused.getValue());
            assertThat(answer.contentType()).contains("application/problem+json");
            assertThat(answer.body().get("status").asInt()).isEqualTo(Integer.parseInt(expected[0]));
        }
        WebhooksService.Answer unknownField = service.post("/v1/webhooks",
                "{\"url\":\"https://203.0.113.7/hooks\",\"events\":[\"transfer.created\"],\"secret\":\"mine\"}");
        assertThat(unknownField.body().get("detail").asText()).contains("secret");
        assertProblem(service.get("/v1/webhooks/not-a-subscription"), 404, "webhook_not_found");
        assertProblem(service.get("/v1/webhooks/%s/deliveries?status=lost".formatted(UUID.randomUUID())), 400, "invalid_request");
        assertProblem(service.get("/v1/webhooks/%s/deliveries?limit=0".formatted(UUID.randomUUID())), 400, "invalid_request");
        assertProblem(service.get("/v1/webhooks/%s/deliveries?sort=asc".formatted(UUID.randomUUID())), 400, "invalid_request");
        assertProblem(service.get("/v1/webhooks/%s/deliveries?limit=1&limit=2".formatted(UUID.randomUUID())), 400, "invalid_request");
        assertProblem(service.delete("/v1/webhooks"), 405, "method_not_allowed");
        assertThat(service.get("/v1/webhooks").body().get("webhooks")).isEmpty();
    }

    @Test
    void aPathWithAnEmptySegmentIs404NotFoundForEveryMethod() throws Exception {
        WebhooksService service = service();
        String id = subscribe(service, "/slash", answering(200));
        String subscription = TRANSFERS.formatted("https://203.0.113.7/hooks");

        for (String path : List.of("/v1/webhooks/", "/v1/webhooks/%s/".formatted(id),
                "/v1/webhooks/%s/deliveries/".formatted(id))) {
            for (String method : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "FOO")) {
                WebhooksService.Answer answer = service.method(method, path, subscription);
                assertThat(answer.status()).as("%s %s", method, path).isEqualTo(404);
                assertProblem(answer, 404, "not_found");
                assertThat(answer.body().get("detail").asText()).isEqualTo("no resource at this path");
            }
            assertThat(service.method("HEAD", path).status()).as("HEAD %s", path).isEqualTo(404);
        }
        // Jetty refuses two slashes in a row as ambiguous, before any route sees them.
        for (String path : List.of("/v1/webhooks//%s".formatted(id), "/v1/webhooks/%s//".formatted(id), "/v1//webhooks")) {
            assertProblem(service.method("POST", path, subscription), 400, "invalid_request");
        }
        assertThat(service.get("/v1/webhooks").body().get("webhooks").findValuesAsText("id")).containsExactly(id);
        assertThat(service.get("/v1/webhooks/" + id).status()).isEqualTo(200);
    }

    @Test
    void everyOtherMethodIs405WithTheAllowedOnes() throws Exception {
        WebhooksService service = service();
        String id = subscribe(service, "/methods", answering(200));
        record Route(String path, String allowed, List<String> refused) {}
        List<Route> routes = List.of(
                new Route("/v1/webhooks", "GET, HEAD, POST", List.of("PATCH", "FOO", "PUT", "DELETE", "OPTIONS", "TRACE")),
                new Route("/v1/webhooks/" + id, "GET, HEAD, DELETE", List.of("PATCH", "FOO", "POST", "PUT", "OPTIONS", "TRACE")),
                new Route("/v1/webhooks/%s/deliveries".formatted(id), "GET, HEAD",
                        List.of("PATCH", "FOO", "POST", "PUT", "DELETE", "OPTIONS", "TRACE")));

        for (Route route : routes) {
            for (String method : route.refused()) {
                WebhooksService.Answer answer = service.method(method, route.path());
                assertProblem(answer, 405, "method_not_allowed");
                assertThat(answer.header("Allow")).as("%s %s", method, route.path()).contains(route.allowed());
                assertThat(answer.body().get("detail").asText())
                        .isEqualTo("%s is not allowed here; allowed: %s".formatted(method, route.allowed()));
            }
            assertThat(service.method("HEAD", route.path()).status()).as("HEAD %s", route.path()).isEqualTo(200);
        }
        assertThat(service.get("/v1/webhooks/" + id).status()).isEqualTo(200);
    }

    private static void assertProblem(WebhooksService.Answer answer, int status, String code) {
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(status);
        assertThat(answer.body().get("code").asText()).isEqualTo(code);
        assertThat(answer.contentType()).contains("application/problem+json");
    }
}
