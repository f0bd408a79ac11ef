package dev.lastcall.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.app.load.WebhookReceiver;
import dev.lastcall.app.testing.FailingServlet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real jar's logs: JSON lines with the MDC, key-value pairs and exceptions as fields, the access
 * log, request IDs, and a request's trace carried through its transfer to the webhook delivery.
 */
class LogsProcessIT {

    private static final Duration EXIT = Duration.ofSeconds(30);
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String CALLER_SPAN = "b7ad6b7169203331";
    private static final String JSON_TYPE = "application/json";

    /** One state directory for the class, so the embedded database is initialised once. */
    @TempDir
    static Path state;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void withJsonLogsEveryLineIsAnObjectAndATransfersTraceReachesItsWebhookDelivery() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start();
                ServiceProcess service = ServiceProcess.builder().stateDir(state).withTestExtension()
                        .env("LASTCALL_LOG_FORMAT", "json")
                        .env("LASTCALL_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "true")
                        .env("LASTCALL_WEBHOOKS_POLL_INTERVAL", "100ms")
                        .start().awaitReady()) {
            assertThat(send(post(service, "/v1/webhooks",
                    "{\"url\":\"%s\",\"events\":[\"transfer.created\"]}".formatted(receiver.url()))).statusCode()).isEqualTo(201);
            assertThat(send(post(service, "/v1/accounts", "{\"code\":\"world\",\"currency\":\"EUR\",\"allowNegative\":true}"))
                    .statusCode()).isEqualTo(201);
            assertThat(send(post(service, "/v1/accounts", "{\"code\":\"alice\",\"currency\":\"EUR\"}")).statusCode()).isEqualTo(201);

            HttpResponse<String> transfer = send(post(service, "/v1/transfers",
                    "{\"from\":\"world\",\"to\":\"alice\",\"amount\":1000,\"currency\":\"EUR\"}")
                    .header("Idempotency-Key", "traced-transfer-1")
                    .header("X-Request-Id", "transfer-1")
                    .header("traceparent", "00-%s-%s-01".formatted(TRACE_ID, CALLER_SPAN)));
            HttpResponse<String> failed = send(HttpRequest.newBuilder(uri(service, "/test/fail"))
                    .header("X-Request-Id", "fail-1"));

            assertThat(transfer.statusCode()).as(transfer.body()).isEqualTo(201);
            assertThat(transfer.headers().firstValue("X-Request-Id")).contains("transfer-1");
            assertThat(failed.statusCode()).isEqualTo(500);
            await().atMost(PATIENCE).until(() -> !receiver.traceparents().isEmpty());
            String sent = receiver.traceparents().values().iterator().next();
            Matcher delivery = Pattern.compile("00-" + TRACE_ID + "-([0-9a-f]{16})-01").matcher(sent);
            assertThat(delivery.matches()).as("the delivery's traceparent %s continues the request's trace", sent).isTrue();

            service.signal("TERM");
            assertThat(service.awaitExit(EXIT)).isEqualTo(0);

            List<JsonNode> lines = jsonLines(service.output());
            JsonNode access = only(lines, line -> line.path("loggerName").asText().equals("lastcall.access")
                    && line.path("mdc").path("requestId").asText().equals("transfer-1"));
            assertThat(access.path("level").asText()).isEqualTo("INFO");
            assertThat(access.path("timestamp").isNumber()).isTrue();
            assertThat(access.path("threadName").asText()).isNotBlank();
            assertThat(access.path("mdc").path("traceId").asText()).isEqualTo(TRACE_ID);
            String requestSpan = access.path("mdc").path("spanId").asText();
            assertThat(requestSpan).matches("[0-9a-f]{16}").isNotEqualTo(CALLER_SPAN).isNotEqualTo(delivery.group(1));
            assertThat(keyValues(access)).containsEntry("method", "POST").containsEntry("route", "/v1/transfers")
                    .containsEntry("status", "201").containsEntry("client", "127.0.0.1");
            assertThat(access.path("formattedMessage").asText()).startsWith("POST /v1/transfers 201 ");

            JsonNode error = only(lines, line -> line.path("level").asText().equals("ERROR")
                    && line.path("mdc").path("requestId").asText().equals("fail-1"));
            assertThat(error.path("formattedMessage").asText()).isEqualTo("GET /test/fail failed");
            assertThat(error.path("throwable").path("className").asText()).isEqualTo(IllegalStateException.class.getName());
            assertThat(error.path("throwable").path("message").asText()).isEqualTo(FailingServlet.MESSAGE);

            JsonNode summary = only(lines, line -> line.path("formattedMessage").asText().startsWith("stopped in "));
            assertThat(summary.path("formattedMessage").asText()).matches(
                    "stopped in [0-9.]+s: http [0-9.]+s complete \\(\\d+ requests drained, 0 cut\\); .*; exit 0");
            assertThat(keyValues(summary)).containsEntry("exitStatus", "0")
                    .containsEntry("http.outcome", "complete")
                    .containsEntry("workers.outcome", "complete")
                    .containsEntry("database.outcome", "complete")
                    .containsKeys("stoppedInSeconds", "http.seconds", "http.summary", "database.summary");
            assertThat(keyValues(summary).get("http.summary")).matches("\\d+ requests drained, 0 cut");
            assertThat(Double.parseDouble(keyValues(summary).get("stoppedInSeconds"))).isPositive();
        }
    }

    @Test
    void withTextLogsALineARequestCausesEndsWithItsIdAndTheSummaryReadsAsBefore() throws Exception {
        try (ServiceProcess service = ServiceProcess.builder().stateDir(state).start().awaitReady()) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri(service, "/nothing-here?q=1"))
                    .header("X-Request-Id", "text-1"));
            assertThat(response.statusCode()).isEqualTo(404);
            service.awaitLine("INFO  access - GET /nothing-here 404 \\d+ bytes [0-9.]+ ms from 127\\.0\\.0\\.1 \\[text-1\\]$",
                    Duration.ofSeconds(5));

            service.signal("TERM");

            assertThat(service.awaitExit(EXIT)).isEqualTo(0);
            assertThat(service.output()).containsPattern(
                    "(?m) INFO  ShutdownSequence - stopped in [0-9.]+s: http [0-9.]+s complete \\(\\d+ requests drained, 0 cut\\)"
                            + "; workers [^\\n]*; exit 0$");
        }
    }

    private static HttpRequest.Builder post(ServiceProcess service, String path, String body) {
        return HttpRequest.newBuilder(uri(service, path))
                .header("Content-Type", JSON_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static URI uri(ServiceProcess service, String path) {
        return URI.create("http://127.0.0.1:" + service.httpPort() + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every line of the output, each of which must be one JSON object. */
    private List<JsonNode> jsonLines(String output) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output.split("\n")) {
            try {
                JsonNode node = mapper.readTree(line);
                assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
                lines.add(node);
            } catch (JsonProcessingException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }
        return lines;
    }

    private static JsonNode only(List<JsonNode> lines, java.util.function.Predicate<JsonNode> test) {
        List<JsonNode> matching = lines.stream().filter(test).toList();
        assertThat(matching).hasSize(1);
        return matching.getFirst();
    }

    /** Logback's JsonEncoder writes an event's key-value pairs as a list of one-entry objects. */
    private static Map<String, String> keyValues(JsonNode line) {
        Map<String, String> values = new LinkedHashMap<>();
        line.path("kvpList").forEach(pair -> pair.properties().forEach(entry -> values.put(entry.getKey(), entry.getValue().asText())));
        return values;
    }
}
