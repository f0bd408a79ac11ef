package dev.lastcall.platform.http.internal;

import com.google.inject.Module;
import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.StopReport;
import dev.lastcall.platform.testing.TestService;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link TestService} for the HTTP tests: the platform with {@link TestRoutes}, without the
 * database and the scheduler (they have their own tests, and these should not start PostgreSQL
 * each time), a body limit small enough to cross cheaply, and a client.
 */
final class RunningService implements AutoCloseable {

    final TestRoutes.Gate gate = new TestRoutes.Gate();
    final TestService service;
    final Lifecycle lifecycle;
    final HttpServer http;
    final AdminServer admin;
    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private RunningService(Map<String, String> environment, Module... extra) throws Exception {
        TestService.Builder builder = TestService.builder()
                .env("LASTCALL_HTTP_MAX_REQUEST_BODY", "1KiB")
                .env(environment)
                .module(new TestRoutes(gate))
                .withoutDatabase();
        for (Module module : extra) {
            builder.module(module);
        }
        service = builder.create();
        lifecycle = service.lifecycle();
        http = service.get(HttpServer.class);
        admin = service.get(AdminServer.class);
    }

    /** Builds the service; the lifecycle (the admin port first) is not started yet. */
    static RunningService create(Map<String, String> environment, Module... extra) throws Exception {
        return new RunningService(environment, extra);
    }

    static RunningService start(Map<String, String> environment, Module... extra) throws Exception {
        RunningService running = create(environment, extra);
        running.lifecycle.start();
        running.httpPort();
        return running;
    }

    int httpPort() {
        return service.httpPort();
    }

    URI uri(String path) {
        return service.uri(path);
    }

    URI adminUri(String path) {
        return service.adminUri(path);
    }

    CompletableFuture<StopReport> stopInBackground() {
        return service.stopInBackground();
    }

    @Override
    public void close() {
        gate.release();
        service.close();
        client.close();
    }
}
