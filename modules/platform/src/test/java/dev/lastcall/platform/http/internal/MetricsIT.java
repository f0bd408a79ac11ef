package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lastcall.platform.lifecycle.StopReport;
import dev.lastcall.platform.testing.RawHttp;
import dev.lastcall.platform.testing.Scrape;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code GET /metrics} on the admin port, and the public server's requests in it, over real sockets. */
class MetricsIT {

    private static final String DURATION = "http_server_request_duration_seconds";
    private static final String COUNT = DURATION + "_count";

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OneServer {

        private RunningService service;

        @BeforeAll
        void start() throws Exception {
            service = RunningService.start(Map.of());
        }

        @AfterAll
        void stop() {
            service.close();
        }

        @Test
        void answersInThePrometheusTextFormatByDefault() throws Exception {
            Scrape scrape = scrape();

            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(scrape.body()).contains("# TYPE http_server_active_requests gauge");
            assertThat(scrape.body()).doesNotContain("# EOF");
        }

        @Test
        void answersInOpenMetricsWhenTheAcceptHeaderAsksForIt() throws Exception {
            Scrape scrape = Scrape.of(service.adminUri("/metrics"),
                    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");

            assertThat(scrape.status()).isEqualTo(200);
            assertThat(scrape.contentType()).startsWith("application/openmetrics-text; version=1.0.0");
            assertThat(scrape.body()).endsWith("# EOF\n");
            assertThat(scrape.body()).contains("# TYPE lastcall_lifecycle_state gauge");
        }

        @Test
        void timesEachRequestByMethodRouteTemplateAndStatus() throws Exception {
            assertThat(get("/hello").statusCode()).isEqualTo(200);
            assertThat(get("/nowhere/at/all").statusCode()).isEqualTo(404);
            assertThat(send("PUT", "/hello").statusCode()).isEqualTo(405);
            assertThat(send("BREW", "/hello").statusCode()).isEqualTo(501);
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                RawHttp.Response tooLarge = connection.send("""
                        POST /echo HTTP/1.1\r
                        Host: test\r
                        Content-Type: application/json\r
                        Content-Length: 2048\r
                        \r
                        """).read();
                assertThat(tooLarge.status()).isEqualTo(413);
            }

            Scrape scrape = scrapeOnceRecorded(s -> count(s, "POST", "/echo", "413") >= 1);

            assertThat(count(scrape, "GET", "/hello", "200")).isGreaterThanOrEqualTo(1);
            assertThat(count(scrape, "GET", RequestMetrics.UNMATCHED, "404")).isGreaterThanOrEqualTo(1);
            assertThat(count(scrape, "PUT", "/hello", "405")).isGreaterThanOrEqualTo(1);
            assertThat(count(scrape, RequestMetrics.OTHER_METHOD, "/hello", "501")).isGreaterThanOrEqualTo(1);
            assertThat(scrape.value(DURATION + "_sum", "http_request_method", "GET", "http_route", "/hello",
                    "http_response_status_code", "200").orElseThrow()).isPositive();
            assertThat(scrape.value(DURATION + "_bucket", "http_request_method", "GET", "http_route", "/hello",
                    "http_response_status_code", "200", "le", "+Inf")).isPresent();
            assertThat(scrape.labelValues()).doesNotContain("/nowhere/at/all", "BREW");
        }

        @Test
        void theNumberOfSeriesDoesNotGrowWithUnknownPathsOrOddMethods() throws Exception {
            // one of each first, so each kind of answer has its series
            assertThat(get("/unknown-0").statusCode()).isEqualTo(404);
            assertThat(send("METHOD0", "/unknown-0").statusCode()).isEqualTo(501);
            assertThat(send("METHOD0", "/hello").statusCode()).isEqualTo(501);
            assertThat(send("GET", "/items/0").statusCode()).isEqualTo(200);
            int before = series(scrapeOnceRecorded(s -> count(s, RequestMetrics.OTHER_METHOD, "/hello", "501") >= 1
                    && count(s, "GET", "/items/{id}", "200") >= 1));

            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                for (int i = 1; i <= 1_000; i++) {
                    String method = i % 10 == 0 ? "METHOD" + i : "GET";
                    String path = i % 20 == 0 ? "/hello"
                            : i % 20 == 5 ? "/items/" + i
                            : "/unknown-" + i + "/" + Integer.toHexString(i * 7919);
                    RawHttp.Response response = connection.send(method + " " + path + " HTTP/1.1\r\nHost: test\r\n\r\n").read();
                    assertThat(response.status()).isIn(200, 404, 501);
                }
            }
            Scrape after = scrape();

            assertThat(series(after)).isEqualTo(before);
            assertThat(after.sum(COUNT, "http_route", RequestMetrics.UNMATCHED)).isGreaterThanOrEqualTo(900);
            assertThat(after.labelValues()).noneMatch(value -> value.startsWith("/unknown-") || value.startsWith("METHOD")
                    || value.matches("/items/[0-9]+"));
        }

        @Test
        void showsTheRequestsInFlightAndTheOpenConnections() throws Exception {
            try (RawHttp first = RawHttp.open(service.httpPort()); RawHttp second = RawHttp.open(service.httpPort())) {
                first.send("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n").read();
                second.send("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n").read();

                Scrape scrape = scrapeOnceRecorded(s -> s.value("http_server_active_requests").orElse(-1.0) == 0);

                assertThat(scrape.value("lastcall_http_open_connections").orElseThrow()).isGreaterThanOrEqualTo(2);
            }
        }

        /** Everything but the GC's meters, which gain a series with each new kind of collection. */
        private static int series(Scrape scrape) {
            return (int) scrape.samples().stream().filter(s -> !s.name().startsWith("jvm_gc_")).count();
        }

        private Scrape scrape() throws Exception {
            return Scrape.of(service.adminUri("/metrics"));
        }

        /**
         * A scrape in which {@code recorded} holds. A request is counted as it completes, just after
         * its client has the whole answer (and after its access line), so a scrape right after the
         * answer may come first.
         */
        private Scrape scrapeOnceRecorded(java.util.function.Predicate<Scrape> recorded) {
            return await().atMost(Duration.ofSeconds(5)).until(this::scrape, recorded);
        }

        private HttpResponse<String> get(String path) throws Exception {
            return send("GET", path);
        }

        private HttpResponse<String> send(String method, String path) throws Exception {
            return service.client.send(HttpRequest.newBuilder(service.uri(path))
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
        }
    }

    @Test
    void aDrainIsVisibleWhileItRunsInFlightFallingToZeroAndDrainedRising() throws Exception {
        try (RunningService service = RunningService.start(Map.of(
                "LASTCALL_HTTP_DRAIN_DELAY", "1s",
                "LASTCALL_HTTP_STOP_TIMEOUT", "10s",
                "LASTCALL_SHUTDOWN_TIMEOUT", "15s"));
                RawHttp keptAlive = RawHttp.open(service.httpPort())) {
            keptAlive.send("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n").read();
            List<CompletableFuture<HttpResponse<String>>> held = List.of(hold(service), hold(service), hold(service));
            service.gate.awaitEntered(3);
            Scrape running = Scrape.of(service.adminUri("/metrics"));
            assertThat(running.value("http_server_active_requests")).hasValue(3);
            assertThat(running.value("lastcall_lifecycle_state", "state", "running")).hasValue(1);
            assertThat(running.value("lastcall_http_drain_requests_total", "outcome", "drained")).hasValue(0);

            CompletableFuture<StopReport> stop = service.stopInBackground();
            await().atMost(Duration.ofSeconds(5)).until(() -> RawHttp.refused(service.httpPort()));
            Thread.sleep(200);
            RawHttp.Response rejected = keptAlive.send("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n").read();
            assertThat(rejected.status()).isEqualTo(503);
            // the 503 is counted as it completes, just after the client has it
            Scrape draining = await().atMost(Duration.ofSeconds(5)).until(() -> Scrape.of(service.adminUri("/metrics")),
                    scrape -> scrape.value(COUNT, "http_request_method", "GET", "http_route", "/hello",
                            "http_response_status_code", "503").isPresent());
            assertThat(draining.value("lastcall_lifecycle_state", "state", "stopping")).hasValue(1);
            assertThat(draining.value("http_server_active_requests")).hasValue(3);
            assertThat(draining.value("lastcall_http_drain_requests_total", "outcome", "drained")).hasValue(0);
            assertThat(draining.value(COUNT, "http_request_method", "GET", "http_route", "/hello",
                    "http_response_status_code", "503")).hasValue(1);

            service.gate.release();
            for (CompletableFuture<HttpResponse<String>> request : held) {
                assertThat(request.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            StopReport report = stop.get(15, TimeUnit.SECONDS);
            assertThat(report.complete()).isTrue();

            var registry = service.service.get(io.micrometer.core.instrument.MeterRegistry.class);
            assertThat(registry.get("http.server.active_requests").gauge().value()).isZero();
            assertThat(registry.get("lastcall.http.drain.requests").tag("outcome", "drained").functionCounter().count())
                    .isEqualTo(3);
            assertThat(registry.get("lastcall.http.drain.requests").tag("outcome", "cut").functionCounter().count())
                    .isZero();
            assertThat(registry.get("lastcall.lifecycle.state").tag("state", "stopped").gauge().value()).isEqualTo(1);
            assertThat(registry.get("lastcall.lifecycle.exit_status").gauge().value()).isZero();
            assertThat(registry.get("lastcall.lifecycle.stop.duration").tag("component", "http").timeGauge()
                    .value(TimeUnit.SECONDS)).isPositive();
        }
    }

    @Test
    void withMetricsDisabledThereIsNoMetricsEndpointAndNoRequestIsTimed() throws Exception {
        try (RunningService service = RunningService.start(Map.of("LASTCALL_METRICS_ENABLED", "false"))) {
            HttpResponse<String> hello = HttpServerIT.get(service, "/hello");
            HttpResponse<String> metrics = HttpServerIT.get(service, service.adminUri("/metrics"));

            assertThat(hello.statusCode()).isEqualTo(200);
            assertThat(metrics.statusCode()).isEqualTo(404);
            assertThat(service.service.get(io.micrometer.core.instrument.MeterRegistry.class).getMeters()).isEmpty();
        }
    }

    private static CompletableFuture<HttpResponse<String>> hold(RunningService service) {
        return service.client.sendAsync(HttpRequest.newBuilder(service.uri("/hold")).GET().build(), BodyHandlers.ofString());
    }

    private static double count(Scrape scrape, String method, String route, String status) {
        return scrape.value(COUNT, "http_request_method", method, "http_route", route, "http_response_status_code", status)
                .orElse(0);
    }
}
