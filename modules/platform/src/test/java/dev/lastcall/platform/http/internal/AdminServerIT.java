package dev.lastcall.platform.http.internal;

import static dev.lastcall.platform.http.internal.HttpServerIT.assertProblem;
import static dev.lastcall.platform.http.internal.HttpServerIT.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.LifecycleState;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.ManagedBinder;
import dev.lastcall.platform.lifecycle.Phase;
import dev.lastcall.platform.lifecycle.StopResult;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The admin port over real sockets: liveness, readiness through the lifecycle, info, threads, access, problems. */
class AdminServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void liveAndReadyAre200WhileRunning() throws Exception {
        try (RunningService service = RunningService.start(Map.of())) {
            HttpResponse<String> live = get(service, service.adminUri("/health/live"));
            HttpResponse<String> ready = get(service, service.adminUri("/health/ready"));

            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.headers().firstValue("content-type")).hasValue("application/json");
            JsonNode health = JSON.readTree(ready.body());
            assertThat(health.path("status").asText()).isEqualTo("ready");
            assertThat(health.path("state").asText()).isEqualTo("RUNNING");
            assertThat(health.path("inFlight").asLong()).isZero();
        }
    }

    @Test
    void healthNamesItsComponents() throws Exception {
        try (RunningService service = RunningService.start(Map.of())) {
            JsonNode components = JSON.readTree(get(service, service.adminUri("/health/ready")).body()).path("components");

            assertThat(components.path("lifecycle").path("status").asText()).isEqualTo("up");
            assertThat(components.path("lifecycle").path("state").asText()).isEqualTo("RUNNING");
            assertThat(components.path("http").path("status").asText()).isEqualTo("up");
            assertThat(components.path("http").path("accepting").asBoolean()).isTrue();
            assertThat(components.path("http").path("inFlight").asLong()).isZero();
            // This service runs without its database (RunningService): the pool never opened.
            assertThat(components.path("database").path("status").asText()).isEqualTo("down");
            assertThat(components.path("database").path("error").asText()).contains("pool is not open");
            assertThat(components.path("database").path("checkedAt").asText()).isNotEmpty();
        }
    }

    @Test
    void aDatabaseThatIsDownLeavesReadyAt200() throws Exception {
        try (RunningService service = RunningService.start(Map.of())) {
            HttpResponse<String> ready = get(service, service.adminUri("/health/ready"));

            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ready.body()).path("components").path("database").path("status").asText())
                    .isEqualTo("down");
        }
    }

    @Test
    void infoTellsTheBuildTheProcessAndTheSettingsWithSecretsHidden() throws Exception {
        try (RunningService service = RunningService.start(Map.of(
                "LASTCALL_DB_URL", "jdbc:postgresql://db.example/ledger?user=app&password=url-secret",
                "LASTCALL_DB_PASSWORD", "db-secret",
                "LASTCALL_API_TOKENS", "api-token-0123456789"))) {
            HttpResponse<String> response = get(service, service.adminUri("/info"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(response.body()).doesNotContain("url-secret", "db-secret", "api-token-0123456789");
            JsonNode info = JSON.readTree(response.body());
            assertThat(info.path("version").asText()).isNotEmpty();
            assertThat(info.path("commit").asText()).matches("[0-9a-f]{40}|unknown");
            assertThat(info.path("buildTime").asText()).isNotEmpty();
            assertThat(Instant.parse(info.path("startTime").asText())).isBefore(Instant.now());
            assertThat(info.path("uptimeSeconds").asDouble()).isPositive();
            assertThat(info.path("jdk").path("version").asText()).startsWith(String.valueOf(Runtime.version().feature()));
            JsonNode settings = info.path("settings");
            assertThat(settings.path("http.drainDelay").asText()).isEqualTo("0s");
            assertThat(settings.path("db.url").asText()).isEqualTo("jdbc:postgresql://db.example/ledger?user=app&password=***");
            assertThat(settings.path("db.password").asText()).isEqualTo("***");
            assertThat(settings.path("api.tokens").toString()).isEqualTo("[\"***\"]");
            assertThat(settings.path("admin.tokens").toString()).isEqualTo("[]");
            assertThat(settings.path("db.poolSize").asInt()).isEqualTo(10);
        }
    }

    @Test
    void threadsIsAPlainTextDumpOfEveryThread() throws Exception {
        try (RunningService service = RunningService.start(Map.of())) {
            HttpResponse<String> response = get(service, service.adminUri("/threads"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
            assertThat(response.body()).contains("\"main\"").contains("    at ").contains("ThreadDump.ofAllThreads");
        }
    }

    @Test
    void withAdminTokensEveryAdminRequestNeedsOneOfThem() throws Exception {
        String token = "admin-token-0123456789";
        try (RunningService service = RunningService.start(Map.of(
                "LASTCALL_ADMIN_TOKENS", token + ",other-admin-token-99"))) {
            for (String path : List.of("/health/live", "/health/ready", "/info", "/threads", "/no-such-path")) {
                HttpResponse<String> refused = get(service, service.adminUri(path));
                assertProblem(refused, 401, "unauthorized");
                assertThat(refused.headers().firstValue("www-authenticate")).as(path).hasValueSatisfying(
                        value -> assertThat(value).startsWith("Bearer "));
                assertThat(refused.body()).contains("admin.tokens");
            }
            assertThat(send(service, "/info", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
            assertThat(send(service, "/health/ready", "Authorization", "Bearer other-admin-token-99").statusCode())
                    .isEqualTo(200);
            assertProblem(send(service, "/info", "Authorization", "Bearer not-" + token), 401, "unauthorized");
            assertProblem(send(service, "/info", "Authorization", "Basic " + token), 401, "unauthorized");
            assertProblem(send(service, "/no-such-path", "Authorization", "Bearer " + token), 404, "not_found");
        }
    }

    @Test
    void apiTokensDoNotOpenTheAdminPort() throws Exception {
        try (RunningService service = RunningService.start(Map.of(
                "LASTCALL_ADMIN_TOKENS", "admin-token-0123456789",
                "LASTCALL_API_TOKENS", "api-token-0123456789"))) {
            assertProblem(send(service, "/info", "Authorization", "Bearer api-token-0123456789"), 401, "unauthorized");
        }
    }

    private static HttpResponse<String> send(RunningService service, String path, String... headers) throws Exception {
        return service.client.send(HttpRequest.newBuilder(service.adminUri(path)).headers(headers)
                .timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
    }

    @Test
    void readyIs503WhileStartingAndAfterStoppingWhileLiveStays200() throws Exception {
        SlowDatabase database = new SlowDatabase();
        AbstractModule slowStart = new AbstractModule() {
            @Override
            protected void configure() {
                ManagedBinder.of(binder()).manage(Phase.DATABASE, database);
            }
        };
        try (RunningService service = RunningService.create(Map.of(), slowStart)) {
            CompletableFuture<Void> start = CompletableFuture.runAsync(() -> {
                try {
                    service.lifecycle.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(database.starting.await(5, TimeUnit.SECONDS)).isTrue();

            HttpResponse<String> whileStarting = get(service, service.adminUri("/health/ready"));
            assertThat(whileStarting.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(whileStarting.body()).path("status").asText()).isEqualTo("starting");
            assertThat(get(service, service.adminUri("/health/live")).statusCode()).isEqualTo(200);

            database.release.countDown();
            start.get(5, TimeUnit.SECONDS);
            assertThat(get(service, service.adminUri("/health/ready")).statusCode()).isEqualTo(200);

            Deadline deadline = Deadline.after(Duration.ofSeconds(10));
            service.lifecycle.stop(deadline, phases -> phases.stop(Phase.HTTP, deadline));
            HttpResponse<String> afterStop = get(service, service.adminUri("/health/ready"));
            assertThat(afterStop.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(afterStop.body()).path("status").asText()).isEqualTo("stopped");
            assertThat(get(service, service.adminUri("/health/live")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void readyIs503WhileStoppingAndCountsTheRequestsInFlight() throws Exception {
        try (RunningService service = RunningService.start(Map.of())) {
            CompletableFuture<HttpResponse<String>> held = service.client.sendAsync(
                    HttpRequest.newBuilder(service.uri("/hold")).build(), BodyHandlers.ofString());
            service.gate.awaitEntered(1);
            assertThat(JSON.readTree(get(service, service.adminUri("/health/ready")).body()).path("inFlight").asLong())
                    .isEqualTo(1);

            service.stopInBackground();
            await().atMost(Duration.ofSeconds(2)).until(() -> service.lifecycle.state() == LifecycleState.STOPPING);

            HttpResponse<String> ready = get(service, service.adminUri("/health/ready"));
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonNode health = JSON.readTree(ready.body());
            assertThat(health.path("status").asText()).isEqualTo("draining");
            assertThat(health.path("inFlight").asLong()).isEqualTo(1);
            assertThat(get(service, service.adminUri("/health/live")).statusCode()).isEqualTo(200);
            service.gate.release();
            assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anUnknownAdminPathIs404Problem() throws Exception {
        try (RunningService service = RunningService.start(Map.of())) {
            HttpResponse<String> response = get(service, service.adminUri("/health/other"));

            assertProblem(response, 404, "not_found");
        }
    }

    @Test
    void aWriteToHealthIs405Problem() throws Exception {
        try (RunningService service = RunningService.start(Map.of())) {
            HttpResponse<String> response = service.client.send(HttpRequest.newBuilder(service.adminUri("/health/ready"))
                    .POST(BodyPublishers.noBody()).build(), BodyHandlers.ofString());

            assertProblem(response, 405, "method_not_allowed");
            assertThat(response.headers().firstValue("allow")).hasValue("GET, HEAD");
        }
    }

    /** A DATABASE component whose start waits until the test releases it. */
    private static final class SlowDatabase implements Managed {
        final CountDownLatch starting = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void start() throws Exception {
            starting.countDown();
            release.await(10, TimeUnit.SECONDS);
        }

        @Override
        public StopResult stop(Deadline deadline) {
            return StopResult.complete("");
        }
    }
}
