package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.http.Problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.lifecycle.ComponentStop;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.testing.RawHttp;
import dev.lastcall.platform.lifecycle.ComponentStop.Outcome;
import dev.lastcall.platform.lifecycle.LifecycleState;
import dev.lastcall.platform.lifecycle.StopReport;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The public HTTP server over real sockets: problem responses for every error, and the drain. */
class HttpServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO = "GET /hello HTTP/1.1\r\nHost: test\r\n\r\n";

    /** Errors and routes, on one server that is never stopped during the tests. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Errors {

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
        void aBodyAnsweredWithoutBeingReadIsDroppedSoTheConnectionStaysOpenForTheNextRequest() throws Exception {
            String body = "{\"hello\":\"world\"}";
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                connection.send("POST /nowhere HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n");
                // the 404 needs no body: without dropping it, the answer went out before the body came
                // and Jetty then closed the connection, unannounced, under the client's next request
                Thread.sleep(300);
                connection.send(body + HELLO);

                RawHttp.Response notFound = connection.read();
                assertThat(notFound.status()).isEqualTo(404);
                assertThat(notFound.header("connection")).isNull();
                assertThat(connection.read().status()).as("the next request on the connection").isEqualTo(200);
            }
        }

        @Test
        void aRouteContributedThroughGuiceAnswers() throws Exception {
            HttpResponse<String> response = get(service, "/hello");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(JSON.readTree(response.body()).path("hello").asText()).isEqualTo("world");
            assertThat(response.headers().firstValue("connection")).isEmpty();
        }

        @Test
        void anUnknownPathIs404Problem() throws Exception {
            HttpResponse<String> response = get(service, "/nowhere");

            assertProblem(response, 404, "not_found");
        }

        @ParameterizedTest
        @ValueSource(strings = {"POST", "PUT", "DELETE"})
        void aMethodTheRouteDoesNotServeIs405Problem(String method) throws Exception {
            HttpResponse<String> response = service.client.send(HttpRequest.newBuilder(service.uri("/hello"))
                    .method(method, BodyPublishers.ofString("{}"))
                    .header("Content-Type", "application/json")
                    .build(), BodyHandlers.ofString());

            assertProblem(response, 405, "method_not_allowed");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "GARBAGE\r\n\r\n",
            "GET /%zz HTTP/1.1\r\nHost: test\r\n\r\n",
            "GET /hello HTTP/1.1\r\nHost: test\r\nContent-Length: banana\r\n\r\n",
            "GET /hello HTTP/1.1\r\n\r\n",
        })
        void aMalformedRequestIs400Problem(String request) throws Exception {
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                RawHttp.Response response = connection.send(request).read();

                assertProblem(response.status(), response.header("content-type"), response.body(), 400, "invalid_request");
            }
        }

        @Test
        void aContentLengthOverTheLimitIs413ProblemBeforeTheBodyIsSent() throws Exception {
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                RawHttp.Response response = connection.send("""
                        POST /echo HTTP/1.1\r
                        Host: test\r
                        Content-Type: application/json\r
                        Content-Length: 2048\r
                        \r
                        """).read();

                assertProblem(response.status(), response.header("content-type"), response.body(), 413, "payload_too_large");
            }
        }

        @Test
        void aChunkedBodyOverTheLimitIs413Problem() throws Exception {
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                connection.send("""
                        POST /echo HTTP/1.1\r
                        Host: test\r
                        Content-Type: application/json\r
                        Transfer-Encoding: chunked\r
                        \r
                        """);
                connection.sendChunk("{\"amount\": 1, \"currency\": \"" + "x".repeat(400));
                connection.sendChunk("x".repeat(400));
                connection.sendChunk("x".repeat(400) + "\"}");
                RawHttp.Response response = connection.sendChunk("").read();

                assertProblem(response.status(), response.header("content-type"), response.body(), 413, "payload_too_large");
            }
        }

        @Test
        void aBodyJustUnderTheLimitIsRead() throws Exception {
            String body = "{\"amount\": 1, \"currency\": \"" + "x".repeat(990) + "\"}";
            assertThat(body.length()).isLessThanOrEqualTo(1024);

            HttpResponse<String> response = post(service, "/echo", "application/json", body);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).path("currency").asText()).hasSize(990);
        }

        @Test
        void aBodyThatIsNotJsonIs415Problem() throws Exception {
            HttpResponse<String> response = post(service, "/echo", "text/plain", "amount=1");

            assertProblem(response, 415, "unsupported_media_type");
        }

        @ParameterizedTest
        @ValueSource(strings = {"application/json; charset=bogus", "application/json; charset=@@@", "application/json; charset=utf-16"})
        void aCharsetOtherThanUtf8Is415ProblemNot500(String contentType) throws Exception {
            HttpResponse<String> response = post(service, "/echo", contentType, "{\"amount\": 1, \"currency\": \"EUR\"}");

            assertProblem(response, 415, "unsupported_media_type");
        }

        @ParameterizedTest
        @ValueSource(strings = {"TRACE", "TRACK", "FOO"})
        void anyMethodWhereNoRouteIsIs404AndNothingIsEchoed(String method) throws Exception {
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                RawHttp.Response response = connection.send(method
                        + " / HTTP/1.1\r\nHost: test\r\nCookie: session=secret\r\nConnection: close\r\n\r\n").read();

                assertProblem(response.status(), response.header("content-type"), response.body(), 404, "not_found");
                assertThat(response.body()).doesNotContain("session=secret");
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"HTTP/1.0", "HTTP/1.1", "HTTP/1.2", "HTTP/1.9"})
        void http1MinorVersionsAreServed(String version) throws Exception {
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                RawHttp.Response response = connection.send("GET /hello " + version + "\r\nHost: test\r\nConnection: close\r\n\r\n").read();

                assertThat(response.status()).isEqualTo(200);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"HTTP/0.9", "HTTP/2.0", "HTTP/3.0"})
        void otherVersionsAre505WithTheirOwnCode(String version) throws Exception {
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                RawHttp.Response response = connection.send("GET /hello " + version + "\r\nHost: test\r\n\r\n").read();

                assertProblem(response.status(), response.header("content-type"), response.body(), 505, "http_version_not_supported");
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"HTTX/1.1", "HTTP/1", "http/1.1", "HTTP/1.1.1", "HTTP/11"})
        void aMalformedVersionIs400Problem(String version) throws Exception {
            try (RawHttp connection = RawHttp.open(service.httpPort())) {
                RawHttp.Response response = connection.send("GET /hello " + version + "\r\nHost: test\r\n\r\n").read();

                assertProblem(response.status(), response.header("content-type"), response.body(), 400, "invalid_request");
            }
        }

        @Test
        void aBodyThatStallsIs408ProblemThatNamesNoJava() throws Exception {
            try (RunningService impatient = RunningService.start(Map.of("LASTCALL_HTTP_IDLE_TIMEOUT", "1s"));
                    RawHttp connection = RawHttp.open(impatient.httpPort())) {
                RawHttp.Response response = connection.send("POST /echo HTTP/1.1\r\nHost: test\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"amount\":").read();

                JsonNode problem = assertProblem(response.status(), response.header("content-type"), response.body(), 408,
                        "request_timeout");
                assertThat(problem.path("detail").asText()).doesNotContain("java", "Exception");
            }
        }

        @Test
        void aBodyThatBindsLooselyIs400ProblemNamingTheField() throws Exception {
            HttpResponse<String> response = post(service, "/echo", "application/json",
                    "{\"amount\": \"100\", \"currency\": \"EUR\"}");

            JsonNode problem = assertProblem(response, 400, "invalid_request");
            assertThat(problem.path("detail").asText()).isEqualTo("field 'amount' must be an integer");
        }

        @Test
        void aRouteThatThrowsIs500ProblemThatGivesNothingAway() throws Exception {
            HttpResponse<String> response = get(service, "/boom");

            assertProblem(response, 500, "internal_error");
            assertThat(response.body())
                    .doesNotContain(TestRoutes.Boom.SECRET)
                    .doesNotContain("IllegalStateException")
                    .doesNotContain("Exception")
                    .doesNotContain("dev.lastcall")
                    .doesNotContain("\tat ")
                    .doesNotContain("TestRoutes");
        }

        @Test
        void aRouteThatThrowsAProblemAnswersWithIt() throws Exception {
            HttpResponse<String> response = get(service, "/refuse");

            JsonNode problem = assertProblem(response, 409, "account_frozen");
            assertThat(problem.path("title").asText()).isEqualTo("Account frozen");
            assertThat(problem.path("detail").asText()).isEqualTo("the account is frozen");
        }
    }

    /** Each drain test gets its own server: stopping it is the test. */
    @Nested
    class Drain {

        @Test
        void duringTheDrainDelayEveryResponseSaysConnectionCloseWhileReadinessSaysDraining() throws Exception {
            try (RunningService service = RunningService.start(Map.of(
                    "LASTCALL_HTTP_DRAIN_DELAY", "3s",
                    "LASTCALL_HTTP_STOP_TIMEOUT", "5s",
                    "LASTCALL_SHUTDOWN_TIMEOUT", "10s"))) {
                CompletableFuture<HttpResponse<String>> held = getAsync(service, "/hold");
                service.gate.awaitEntered(1);

                CompletableFuture<StopReport> stop = service.stopInBackground();
                await().atMost(Duration.ofSeconds(2)).until(() -> service.lifecycle.state() == LifecycleState.STOPPING);

                HttpResponse<String> ready = get(service, service.adminUri("/health/ready"));
                assertThat(ready.statusCode()).isEqualTo(503);
                JsonNode health = JSON.readTree(ready.body());
                assertThat(health.path("status").asText()).isEqualTo("draining");
                assertThat(health.path("inFlight").asLong()).isEqualTo(1);

                List<HttpResponse<String>> duringDelay = List.of(
                        get(service, "/hello"),
                        get(service, "/hello"),
                        post(service, "/echo", "application/json", "{\"amount\": 5, \"currency\": \"EUR\"}"),
                        get(service, "/nowhere"));
                assertThat(duringDelay).extracting(HttpResponse::statusCode).containsExactly(200, 200, 200, 404);
                assertThat(duringDelay).allSatisfy(response ->
                        assertThat(response.headers().firstValue("connection")).hasValue("close"));
                assertThat(stop).as("the drain delay is still running").isNotDone();

                service.gate.release();
                assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                StopReport report = stop.get(15, TimeUnit.SECONDS);
                assertThat(httpStop(report).outcome()).isEqualTo(Outcome.COMPLETE);
                assertThat(httpStop(report).summary()).isEqualTo("5 requests drained, 0 cut");
            }
        }

        @Test
        void aRequestWhoseBodyArrivesSlowlyDuringTheDrainCompletes() throws Exception {
            try (RunningService service = RunningService.start(Map.of(
                    "LASTCALL_HTTP_IDLE_TIMEOUT", "10s",
                    "LASTCALL_HTTP_STOP_TIMEOUT", "10s",
                    "LASTCALL_SHUTDOWN_TIMEOUT", "15s"));
                    RawHttp upload = RawHttp.open(service.httpPort())) {
                upload.send("""
                        POST /upload HTTP/1.1\r
                        Host: test\r
                        Content-Type: application/octet-stream\r
                        Transfer-Encoding: chunked\r
                        \r
                        """).sendChunk("first;");
                await().atMost(Duration.ofSeconds(5)).until(() -> service.http.inFlight() == 1);

                CompletableFuture<StopReport> stop = service.stopInBackground();
                await().atMost(Duration.ofSeconds(2)).until(() -> RawHttp.refused(service.httpPort()));
                StringBuilder sent = new StringBuilder("first;");
                for (String chunk : List.of("second;", "third;", "fourth;")) {
                    // Longer than Jetty's default shutdownIdleTimeout (1s), well under http.idleTimeout.
                    Thread.sleep(1_500);
                    upload.sendChunk(chunk);
                    sent.append(chunk);
                }
                RawHttp.Response response = upload.sendChunk("").read();

                assertThat(response.status()).isEqualTo(200);
                assertThat(JSON.readTree(response.body()).path("bytes").asLong()).isEqualTo(sent.length());
                StopReport report = stop.get(15, TimeUnit.SECONDS);
                assertThat(report.complete()).isTrue();
                assertThat(httpStop(report).summary()).isEqualTo("1 requests drained, 0 cut");
            }
        }

        @Test
        void aNewConnectionIsRefusedOnceTheListenerHasClosed() throws Exception {
            try (RunningService service = RunningService.start(Map.of())) {
                int port = service.httpPort();
                assertThat(RawHttp.refused(port)).isFalse();
                CompletableFuture<HttpResponse<String>> held = getAsync(service, "/hold");
                service.gate.awaitEntered(1);

                CompletableFuture<StopReport> stop = service.stopInBackground();

                await().atMost(Duration.ofSeconds(2)).until(() -> RawHttp.refused(port));
                assertThat(stop).as("still draining the held request").isNotDone();
                service.gate.release();
                assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                stop.get(10, TimeUnit.SECONDS);
                assertThat(RawHttp.refused(port)).isTrue();
            }
        }

        @Test
        void connectionsWaitingInTheBacklogWhenTheListenerClosesAreServedNotReset() throws Exception {
            try (RunningService service = RunningService.start(Map.of())) {
                // Jetty stops taking connections from the kernel's backlog, as between two rounds of its
                // accept loop; the kernel still completes handshakes, so these clients send at once.
                pauseAccepting(service);
                List<RawHttp> waiting = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    waiting.add(RawHttp.open(service.httpPort()).send("GET /hello HTTP/1.1\r\nHost: test\r\n\r\n"));
                }

                StopReport report = service.stopInBackground().get(15, TimeUnit.SECONDS);

                for (RawHttp connection : waiting) {
                    try (connection) {
                        assertThat(connection.read().status()).isEqualTo(200);
                    }
                }
                assertThat(report.complete()).isTrue();
                assertThat(httpStop(report).summary()).isEqualTo("3 requests drained, 0 cut");
            }
        }

        @Test
        void aRequestOnAKeptAliveConnectionDuringTheDrainIsServedWithCloseThenTheConnectionCloses() throws Exception {
            try (RunningService service = RunningService.start(Map.of());
                    RawHttp keptAlive = RawHttp.open(service.httpPort())) {
                RawHttp.Response before = keptAlive.send(HELLO).read();
                assertThat(before.status()).isEqualTo(200);
                assertThat(before.header("connection")).isNull();
                await().atMost(Duration.ofSeconds(5)).until(() -> service.http.inFlight() == 0);
                CompletableFuture<HttpResponse<String>> held = getAsync(service, "/hold");
                service.gate.awaitEntered(1);

                CompletableFuture<StopReport> stop = service.stopInBackground();
                await().atMost(Duration.ofSeconds(2)).until(() -> RawHttp.refused(service.httpPort()));
                RawHttp.Response during = keptAlive.send(HELLO).read();

                assertThat(during.status()).isEqualTo(200);
                assertThat(JSON.readTree(during.body()).path("hello").asText()).isEqualTo("world");
                assertThat(during.header("connection")).isEqualTo("close");
                assertThat(keptAlive.closedByServer()).isTrue();
                assertThat(stop).as("the held request still drains").isNotDone();
                service.gate.release();
                assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                StopReport report = stop.get(10, TimeUnit.SECONDS);
                assertThat(report.complete()).isTrue();
                assertThat(httpStop(report).summary()).isEqualTo("2 requests drained, 0 cut");
            }
        }

        @Test
        void aConnectionGetsOneMoreRequestDuringTheDrainNotTwo() throws Exception {
            try (RunningService service = RunningService.start(Map.of());
                    RawHttp keptAlive = RawHttp.open(service.httpPort())) {
                assertThat(keptAlive.send(HELLO).read().status()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(5)).until(() -> service.http.inFlight() == 0);
                CompletableFuture<HttpResponse<String>> held = getAsync(service, "/hold");
                service.gate.awaitEntered(1);

                CompletableFuture<StopReport> stop = service.stopInBackground();
                await().atMost(Duration.ofSeconds(2)).until(() -> RawHttp.refused(service.httpPort()));
                // pipelined: both are on the server's side of the wire before the first answer
                keptAlive.send(HELLO + "GET /items/2 HTTP/1.1\r\nHost: test\r\n\r\n");
                RawHttp.Response first = keptAlive.read();

                assertThat(first.status()).isEqualTo(200);
                assertThat(first.header("connection")).isEqualTo("close");
                assertThatThrownBy(keptAlive::read).as("an answer to the second request").isInstanceOf(IOException.class);
                service.gate.release();
                assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                assertThat(httpStop(stop.get(10, TimeUnit.SECONDS)).summary()).isEqualTo("2 requests drained, 0 cut");
            }
        }

        @Test
        void aConnectionIdleForLessThanTheDrainIdleTimeoutIsKeptOpenForItsNextRequest() throws Exception {
            try (RunningService service = RunningService.start(Map.of("LASTCALL_HTTP_DRAIN_IDLE_TIMEOUT", "10s"));
                    RawHttp keptAlive = RawHttp.open(service.httpPort())) {
                assertThat(keptAlive.send(HELLO).read().status()).isEqualTo(200);
                // the answer is on the wire a moment before the server counts its request complete
                await().atMost(Duration.ofSeconds(5)).until(() -> service.http.inFlight() == 0);

                // nothing in flight: only this connection, idle for less than 10 s, holds the drain
                CompletableFuture<StopReport> stop = service.stopInBackground();
                await().atMost(Duration.ofSeconds(2)).until(() -> RawHttp.refused(service.httpPort()));
                RawHttp.Response during = keptAlive.send(HELLO).read();

                assertThat(during.status()).isEqualTo(200);
                assertThat(during.header("connection")).isEqualTo("close");
                assertThat(keptAlive.closedByServer()).isTrue();
                StopReport report = stop.get(10, TimeUnit.SECONDS);
                assertThat(report.complete()).isTrue();
                assertThat(httpStop(report).summary()).isEqualTo("1 requests drained, 0 cut");
            }
        }

        @Test
        void aConnectionIdleForTheDrainIdleTimeoutIsClosedWithoutWaitingForTheStopTimeout() throws Exception {
            try (RunningService service = RunningService.start(Map.of("LASTCALL_HTTP_DRAIN_IDLE_TIMEOUT", "500ms",
                    "LASTCALL_HTTP_STOP_TIMEOUT", "30s", "LASTCALL_SHUTDOWN_TIMEOUT", "35s"));
                    RawHttp keptAlive = RawHttp.open(service.httpPort())) {
                assertThat(keptAlive.send(HELLO).read().status()).isEqualTo(200);

                StopReport report = service.stopInBackground().get(25, TimeUnit.SECONDS);

                assertThat(report.complete()).isTrue();
                assertThat(httpStop(report).took()).as("well inside http.stopTimeout").isLessThan(Duration.ofSeconds(15));
                assertThat(keptAlive.closedByServer()).isTrue();
            }
        }

        @Test
        void aRequestPastTheDrainDeadlineIs503WithRetryAfterAndClose() throws Exception {
            try (RunningService service = RunningService.start(Map.of());
                    RawHttp keptAlive = RawHttp.open(service.httpPort())) {
                assertThat(keptAlive.send(HELLO).read().status()).isEqualTo(200);

                // the drain's first step with a deadline already past; the stop closes connections at its
                // deadline, so otherwise only a request that races that close would see this answer
                service.http.serveRequestsUntil(Deadline.after(Duration.ZERO));
                RawHttp.Response late = keptAlive.send(HELLO).read();

                assertProblem(late.status(), late.header("content-type"), late.body(), 503, "service_unavailable");
                assertThat(late.header("retry-after")).isEqualTo("1");
                assertThat(late.header("connection")).isEqualTo("close");
                assertThat(keptAlive.closedByServer()).isTrue();
            }
        }

        @Test
        void aRequestThatOutlivesTheStopTimeoutIsCutAndReportedAsCut() throws Exception {
            try (RunningService service = RunningService.start(Map.of(
                    "LASTCALL_HTTP_STOP_TIMEOUT", "1s",
                    "LASTCALL_SHUTDOWN_TIMEOUT", "6s"))) {
                CompletableFuture<HttpResponse<String>> held = getAsync(service, "/hold");
                service.gate.awaitEntered(1);

                long begin = System.nanoTime();
                StopReport report = service.stopInBackground().get(10, TimeUnit.SECONDS);
                Duration took = Duration.ofNanos(System.nanoTime() - begin);

                assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(4));
                assertThat(httpStop(report).complete()).isFalse();
                assertThat(httpStop(report).summary()).isEqualTo("0 requests drained, 1 cut");
                assertThat(httpStop(report).outcome()).isEqualTo(Outcome.CUT);
                assertThat(report.complete()).isFalse();
                assertThat(held).failsWithin(Duration.ofSeconds(5));
            }
        }

        @Test
        void aCleanDrainReportsCompleteWithTheRequestsItDrained() throws Exception {
            try (RunningService service = RunningService.start(Map.of())) {
                assertThat(get(service, "/hello").statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(5)).until(() -> service.http.inFlight() == 0);
                List<CompletableFuture<HttpResponse<String>>> held = List.of(
                        getAsync(service, "/hold"), getAsync(service, "/hold"));
                service.gate.awaitEntered(2);

                CompletableFuture<StopReport> stop = service.stopInBackground();
                await().atMost(Duration.ofSeconds(2)).until(() -> RawHttp.refused(service.httpPort()));
                service.gate.release();

                for (CompletableFuture<HttpResponse<String>> request : held) {
                    assertThat(request.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                }
                StopReport report = stop.get(10, TimeUnit.SECONDS);
                assertThat(report.complete()).isTrue();
                assertThat(httpStop(report).complete()).isTrue();
                assertThat(httpStop(report).summary()).isEqualTo("2 requests drained, 0 cut");
                assertThat(service.lifecycle.state()).isEqualTo(LifecycleState.STOPPED);
            }
        }
    }

    // ---- helpers ----

    static HttpResponse<String> get(RunningService service, String path) throws IOException, InterruptedException {
        return get(service, service.uri(path));
    }

    static HttpResponse<String> get(RunningService service, java.net.URI uri) throws IOException, InterruptedException {
        return service.client.send(HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(10)).build(),
                BodyHandlers.ofString());
    }

    private static CompletableFuture<HttpResponse<String>> getAsync(RunningService service, String path) {
        return service.client.sendAsync(HttpRequest.newBuilder(service.uri(path)).GET().build(), BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(RunningService service, String path, String contentType, String body)
            throws IOException, InterruptedException {
        return service.client.send(HttpRequest.newBuilder(service.uri(path))
                .POST(BodyPublishers.ofString(body))
                .header("Content-Type", contentType)
                .timeout(Duration.ofSeconds(10))
                .build(), BodyHandlers.ofString());
    }

    static JsonNode assertProblem(HttpResponse<String> response, int status, String code) throws IOException {
        return assertProblem(response.statusCode(), response.headers().firstValue("content-type").orElse(null),
                response.body(), status, code);
    }

    static JsonNode assertProblem(int actualStatus, String contentType, String body, int status, String code)
            throws IOException {
        assertThat(actualStatus).as("status of %s", body).isEqualTo(status);
        assertThat(contentType).as("content type of %s", body).startsWith(Problem.MEDIA_TYPE);
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.path("type").asText()).isNotBlank();
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("code").asText()).isEqualTo(code);
        return problem;
    }

    /** Stops Jetty taking connections from the public listener's backlog; returns once its selector has. */
    private static void pauseAccepting(RunningService service) throws Exception {
        // HttpServer keeps its connector to itself
        java.lang.reflect.Field field = HttpServer.class.getDeclaredField("connector");
        field.setAccessible(true);
        ServerConnector connector = (ServerConnector) field.get(service.http);
        connector.setAccepting(false);
        // the selector applies the change and then this, in the order they were submitted
        CountDownLatch applied = new CountDownLatch(1);
        connector.getSelectorManager().getBean(ManagedSelector.class).submit(selector -> applied.countDown());
        assertThat(applied.await(5, TimeUnit.SECONDS)).isTrue();
    }

    private static ComponentStop httpStop(StopReport report) {
        return report.components().stream()
                .filter(c -> c.name().equals("http"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no http stop in " + report.summary()));
    }
}
