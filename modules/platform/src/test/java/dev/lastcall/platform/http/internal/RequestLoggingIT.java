package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.lastcall.platform.lifecycle.StopReport;
import dev.lastcall.platform.testing.RawHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The access log, request IDs and the trace context over real sockets: what each request logs, what
 * its response says, and the MDC of every line it causes, Jetty's own responses included.
 */
class RequestLoggingIT {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-%s-%s-01".formatted(TRACE_ID, CALLER_SPAN);
    private static final String GENERATED_ID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final Duration PATIENCE = Duration.ofSeconds(5);

    /** One server with the shipped defaults: access log on, no trusted proxies. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WithTheDefaults {

        private RunningService service;
        private LogEvents events;

        @BeforeAll
        void start() throws Exception {
            service = RunningService.start(Map.of());
        }

        @AfterAll
        void stop() {
            service.close();
        }

        @BeforeEach
        void capture() {
            events = new LogEvents();
        }

        @AfterEach
        void release() {
            events.close();
        }

        @Test
        void aRequestGetsOneAccessLineWithItsRouteStatusBytesDurationAndClient() throws Exception {
            HttpResponse<String> response = send(HttpRequest.newBuilder(service.uri("/items/42?color=red")));

            assertThat(response.statusCode()).isEqualTo(200);
            String id = response.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(id).matches(GENERATED_ID);
            ILoggingEvent line = accessLine(id);
            assertThat(line.getLevel()).isEqualTo(Level.INFO);
            assertThat(LogEvents.keyValues(line)).containsEntry("method", "GET")
                    .containsEntry("route", "/items/{id}")
                    .containsEntry("status", "200")
                    .containsEntry("bytes", Integer.toString(response.body().length()))
                    .containsEntry("client", "127.0.0.1")
                    .containsKey("durationMs")
                    .doesNotContainKey("path");
            assertThat(Double.parseDouble(LogEvents.keyValues(line).get("durationMs"))).isGreaterThanOrEqualTo(0);
            assertThat(line.getFormattedMessage()).matches(
                    "GET /items/\\{id\\} 200 %d bytes [0-9]+\\.[0-9] ms from 127\\.0\\.0\\.1".formatted(response.body().length()));
            assertThat(line.getMDCPropertyMap()).doesNotContainKeys("traceId", "spanId");
        }

        @Test
        void aPathThatNoTemplateOfItsRouteNamesIsLoggedWithTheRoutesPathSpec() throws Exception {
            HttpResponse<String> response = send(HttpRequest.newBuilder(service.uri("/items/42/parts")));

            String id = response.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(LogEvents.keyValues(accessLine(id))).containsEntry("route", "/items/*");
        }

        @Test
        void anUnknownPathJettyAnswersIsLoggedWithItsPathAndGetsARequestId() throws Exception {
            HttpResponse<String> response = send(HttpRequest.newBuilder(service.uri("/nowhere/at/all?q=1")));

            assertThat(response.statusCode()).isEqualTo(404);
            String id = response.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(LogEvents.keyValues(accessLine(id))).containsEntry("path", "/nowhere/at/all")
                    .containsEntry("status", "404")
                    .doesNotContainKey("route");
        }

        @Test
        void aBodyTooLargeThatJettyRefusesIsLoggedAndItsAnswerCarriesTheRequestId() throws Exception {
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                RawHttp.Response response = connection.send("""
                        POST /echo HTTP/1.1\r
                        Host: test\r
                        X-Request-Id: too-large-1\r
                        Content-Type: application/json\r
                        Content-Length: 2048\r
                        \r
                        """).read();

                assertThat(response.status()).isEqualTo(413);
                assertThat(response.header("x-request-id")).isEqualTo("too-large-1");
            }
            assertThat(LogEvents.keyValues(accessLine("too-large-1"))).containsEntry("status", "413")
                    .containsEntry("method", "POST");
        }

        @Test
        void aRequestTooMalformedToReachAHandlerGetsARequestIdAndAnAccessLine() throws Exception {
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                RawHttp.Response response = connection.send("GET /%zz HTTP/1.1\r\nHost: test\r\n\r\n").read();

                assertThat(response.status()).isEqualTo(400);
                String id = response.header("x-request-id");
                assertThat(id).matches(GENERATED_ID);
                assertThat(LogEvents.keyValues(accessLine(id))).containsEntry("status", "400")
                        .containsEntry("bytes", Integer.toString(response.body().length()));
            }
        }

        @Test
        void aValidRequestIdIsEchoedAndLogged() throws Exception {
            HttpResponse<String> response = send(HttpRequest.newBuilder(service.uri("/hello"))
                    .header("X-Request-Id", "client-chosen.1:a_B-9"));

            assertThat(response.headers().firstValue("X-Request-Id")).contains("client-chosen.1:a_B-9");
            assertThat(LogEvents.keyValues(accessLine("client-chosen.1:a_B-9"))).containsEntry("route", "/hello");
        }

        @Test
        void anInvalidRequestIdIsReplacedAndNeverEchoedOrLogged() throws Exception {
            String invalid = "<script>alert(1)</script>";
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                RawHttp.Response response = connection.send(
                        "GET /hello HTTP/1.1\r\nHost: test\r\nX-Request-Id: " + invalid + "\r\n\r\n").read();

                assertThat(response.status()).isEqualTo(200);
                String id = response.header("x-request-id");
                assertThat(id).matches(GENERATED_ID);
                accessLine(id);
            }
            assertThat(events.all()).noneSatisfy(event -> assertThat(LogEvents.everything(event)).contains("script"));
        }

        @Test
        void everyLineARequestCausesCarriesItsIdAndTraceAndNoLineAfterItDoes() throws Exception {
            HttpResponse<String> failed = send(HttpRequest.newBuilder(service.uri("/boom"))
                    .header("X-Request-Id", "failing-1")
                    .header("traceparent", TRACEPARENT));
            HttpResponse<String> logged = send(HttpRequest.newBuilder(service.uri("/log"))
                    .header("X-Request-Id", "logging-1"));

            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(failed.headers().firstValue("X-Request-Id")).contains("failing-1");
            ILoggingEvent error = events.from(ProblemFilter.class.getName()).getFirst();
            assertThat(error.getLevel()).isEqualTo(Level.ERROR);
            Map<String, String> mdc = error.getMDCPropertyMap();
            assertThat(mdc).containsEntry("requestId", "failing-1").containsEntry("traceId", TRACE_ID);
            assertThat(mdc.get("spanId")).matches("[0-9a-f]{16}").isNotEqualTo(CALLER_SPAN);
            assertThat(accessLine("failing-1").getMDCPropertyMap()).isEqualTo(mdc);

            assertThat(logged.statusCode()).isEqualTo(204);
            ILoggingEvent line = events.from(TestRoutes.Log.class.getName()).getFirst();
            assertThat(line.getFormattedMessage()).isEqualTo(TestRoutes.Log.LINE);
            assertThat(line.getMDCPropertyMap()).containsExactlyEntriesOf(Map.of("requestId", "logging-1"));
            assertThat(accessLine("logging-1").getMDCPropertyMap()).containsExactlyEntriesOf(Map.of("requestId", "logging-1"));
        }

        @Test
        void anInvalidTraceparentIsIgnored() throws Exception {
            send(HttpRequest.newBuilder(service.uri("/hello"))
                    .header("X-Request-Id", "bad-trace-1")
                    .header("traceparent", "00-" + TRACE_ID.toUpperCase() + "-" + CALLER_SPAN + "-01"));

            assertThat(accessLine("bad-trace-1").getMDCPropertyMap()).doesNotContainKeys("traceId", "spanId");
        }

        @Test
        void xForwardedForFromAPeerThatIsNoTrustedProxyIsIgnored() throws Exception {
            send(HttpRequest.newBuilder(service.uri("/hello"))
                    .header("X-Request-Id", "forwarded-untrusted")
                    .header("X-Forwarded-For", "203.0.113.9"));

            assertThat(LogEvents.keyValues(accessLine("forwarded-untrusted"))).containsEntry("client", "127.0.0.1");
        }

        @Test
        void neitherTheAuthorizationHeaderNorTheBodyIsLogged() throws Exception {
            HttpResponse<String> response = send(HttpRequest.newBuilder(service.uri("/echo"))
                    .header("X-Request-Id", "secretive-1")
                    .header("Authorization", "Bearer token-never-to-be-logged")
                    .header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofString("{\"amount\":1,\"currency\":\"body-never-to-be-logged\"}")));

            assertThat(response.statusCode()).isEqualTo(200);
            accessLine("secretive-1");
            assertThat(events.all()).noneSatisfy(event -> assertThat(LogEvents.everything(event)).contains("never-to-be-logged"));
        }

        private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
            return service.client.send(request.timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
        }

        /** The one access line of the request with this ID; Jetty writes it once the response is complete. */
        private ILoggingEvent accessLine(String requestId) {
            await().atMost(PATIENCE).until(() -> !events.accessLines(requestId).isEmpty());
            List<ILoggingEvent> lines = events.accessLines(requestId);
            assertThat(lines).hasSize(1);
            return lines.getFirst();
        }
    }

    @Test
    void xForwardedForFromATrustedProxyNamesTheClient() throws Exception {
        try (RunningService service = RunningService.start(Map.of("LASTCALL_HTTP_TRUSTED_PROXIES", "127.0.0.0/8, ::1"));
                LogEvents events = new LogEvents()) {
            service.client.send(HttpRequest.newBuilder(service.uri("/hello"))
                    .header("X-Request-Id", "forwarded-trusted")
                    .header("X-Forwarded-For", "198.51.100.7, 203.0.113.9")
                    .build(), BodyHandlers.ofString());

            await().atMost(PATIENCE).until(() -> !events.accessLines("forwarded-trusted").isEmpty());
            assertThat(LogEvents.keyValues(events.accessLines("forwarded-trusted").getFirst()))
                    .containsEntry("client", "203.0.113.9");
        }
    }

    @Test
    void withTheAccessLogOffNoLineIsWrittenButRequestIdsStillAre() throws Exception {
        try (RunningService service = RunningService.start(Map.of("LASTCALL_HTTP_ACCESS_LOG", "false"));
                LogEvents events = new LogEvents()) {
            HttpResponse<String> response = service.client.send(HttpRequest.newBuilder(service.uri("/log"))
                    .header("X-Request-Id", "quiet-1").build(), BodyHandlers.ofString());

            assertThat(response.headers().firstValue("X-Request-Id")).contains("quiet-1");
            await().atMost(PATIENCE).until(() -> !events.from(TestRoutes.Log.class.getName()).isEmpty());
            // the access line would be written as the response completed, before the client read it
            Thread.sleep(300);
            assertThat(events.accessLines()).isEmpty();
            assertThat(events.from(TestRoutes.Log.class.getName()).getFirst().getMDCPropertyMap())
                    .containsEntry("requestId", "quiet-1");
        }
    }

    @Test
    void theDrainsRefusalOfARequestOnAKeptAliveConnectionIsLogged() throws Exception {
        try (RunningService service = RunningService.start(Map.of());
                RawHttp keptAlive = RawHttp.open(service.httpPort());
                LogEvents events = new LogEvents()) {
            assertThat(keptAlive.send("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n").read().status()).isEqualTo(200);
            CompletableFuture<HttpResponse<String>> held = service.client.sendAsync(
                    HttpRequest.newBuilder(service.uri("/hold")).build(), BodyHandlers.ofString());
            service.gate.awaitEntered(1);

            CompletableFuture<StopReport> stop = service.stopInBackground();
            await().atMost(Duration.ofSeconds(2)).until(() -> RawHttp.refused(service.httpPort()));
            // The listener closes just before the graceful handler starts refusing.
            Thread.sleep(200);
            RawHttp.Response refused = keptAlive.send(
                    "GET /hello HTTP/1.1\r\nHost: test\r\nX-Request-Id: refused-1\r\n\r\n").read();

            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("x-request-id")).isEqualTo("refused-1");
            await().atMost(PATIENCE).until(() -> !events.accessLines("refused-1").isEmpty());
            assertThat(LogEvents.keyValues(events.accessLines("refused-1").getFirst()))
                    .containsEntry("status", "503")
                    .containsEntry("path", "/hello");
            service.gate.release();
            assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(stop.get(10, TimeUnit.SECONDS).complete()).isTrue();
        }
    }
}
