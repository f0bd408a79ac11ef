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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The admin port over real sockets: liveness, readiness through the lifecycle, problems. */
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
