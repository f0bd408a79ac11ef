package dev.lastcall.platform.http;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Stage;
import dev.lastcall.platform.PlatformModule;
import dev.lastcall.platform.config.Settings;
import dev.lastcall.platform.database.Database;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.Phase;
import dev.lastcall.platform.lifecycle.StopReport;
import dev.lastcall.platform.scheduling.Scheduler;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The platform wired as {@code Main} wires it (settings, {@link PlatformModule}, a module with
 * routes), on free ports. The test drives the {@link Lifecycle} itself; the admin port runs
 * outside it, as in the service. The lifecycle leaves out the database and the scheduler, which
 * have their own tests: these tests are about HTTP and should not start PostgreSQL each time.
 */
final class RunningService implements AutoCloseable {

    /** Free ports, and a body limit small enough to cross cheaply. */
    private static final Map<String, String> BASE = Map.of(
            "LASTCALL_HTTP_PORT", "0",
            "LASTCALL_ADMIN_PORT", "0",
            "LASTCALL_HTTP_MAX_REQUEST_BODY", "1KiB");

    final TestRoutes.Gate gate = new TestRoutes.Gate();
    final Lifecycle lifecycle;
    final HttpServer http;
    final AdminServer admin;
    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final Duration shutdownTimeout;
    private int httpPort = -1;

    private RunningService(Map<String, String> environment, List<Module> extra) {
        Map<String, String> merged = new HashMap<>(BASE);
        merged.putAll(environment);
        Settings settings = Settings.load(Optional.empty(), merged);
        PlatformModule platform = new PlatformModule(settings);
        shutdownTimeout = platform.processSettings().shutdownTimeout();
        List<Module> modules = new ArrayList<>(List.of(platform, new TestRoutes(gate), new WithoutDatabase()));
        modules.addAll(extra);
        Injector injector = Guice.createInjector(Stage.PRODUCTION, modules);
        lifecycle = injector.getInstance(Lifecycle.class);
        http = injector.getInstance(HttpServer.class);
        admin = injector.getInstance(AdminServer.class);
    }

    /** Builds the service and opens the admin port; the lifecycle is not started yet. */
    static RunningService create(Map<String, String> environment, Module... extra) throws Exception {
        RunningService service = new RunningService(environment, List.of(extra));
        service.admin.start();
        return service;
    }

    /** Builds, opens the admin port and starts the lifecycle. */
    static RunningService start(Map<String, String> environment, Module... extra) throws Exception {
        RunningService service = create(environment, extra);
        service.lifecycle.start();
        service.httpPort();
        return service;
    }

    /** The public port as bound at start; Jetty forgets it once the listener closes. */
    int httpPort() {
        if (httpPort <= 0) {
            httpPort = http.port();
        }
        return httpPort;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort() + path);
    }

    URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + admin.port() + path);
    }

    /** Stops the lifecycle on another thread within {@code shutdown.timeout}, as the shutdown hook would. */
    CompletableFuture<StopReport> stopInBackground() {
        Deadline deadline = Deadline.after(shutdownTimeout);
        return CompletableFuture.supplyAsync(() -> lifecycle.stop(deadline),
                runnable -> Thread.ofPlatform().name("test-stop").start(runnable));
    }

    private static final class WithoutDatabase extends AbstractModule {

        @Provides
        @Singleton
        Lifecycle lifecycle(Map<Phase, Set<Managed>> registered) {
            Map<Phase, Set<Managed>> kept = new EnumMap<>(Phase.class);
            registered.forEach((phase, components) -> kept.put(phase, components.stream()
                    .filter(c -> !(c instanceof Database) && !(c instanceof Scheduler))
                    .collect(Collectors.toCollection(LinkedHashSet::new))));
            return new Lifecycle(kept);
        }
    }

    @Override
    public void close() {
        gate.release();
        lifecycle.stop(Deadline.after(shutdownTimeout));
        admin.stop();
        client.close();
    }
}
