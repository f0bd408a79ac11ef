package dev.lastcall.platform.testing;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Stage;
import dev.lastcall.platform.PlatformModule;
import dev.lastcall.platform.config.Settings;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.database.internal.Database;
import dev.lastcall.platform.http.internal.AdminServer;
import dev.lastcall.platform.http.internal.HttpServer;
import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.Phase;
import dev.lastcall.platform.lifecycle.StopBudget;
import dev.lastcall.platform.lifecycle.StopReport;
import dev.lastcall.platform.process.ShutdownSequence;
import dev.lastcall.platform.scheduling.internal.Scheduler;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The real service in this JVM, wired as {@code Main} wires it (settings, {@link PlatformModule},
 * business modules), on free ports with a state directory of its own (so its own embedded
 * PostgreSQL unless {@code LASTCALL_DB_URL} is given). It stops through the real {@link
 * ShutdownSequence}. Every module's in-JVM tests build their service here:
 * {@code TestService.builder().module(LedgerModule::new).start()}.
 */
public final class TestService implements AutoCloseable {

    private final Injector injector;
    private final Lifecycle lifecycle;
    private final StopBudget budget;
    private final Path stateDir;
    private int httpPort = -1;
    private volatile StopReport stopReport;

    private TestService(Injector injector, StopBudget budget, Path stateDir) {
        this.injector = injector;
        this.lifecycle = injector.getInstance(Lifecycle.class);
        this.budget = budget;
        this.stateDir = stateDir;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings and modules of a service; {@link #start} or {@link #create} makes it. */
    public static final class Builder {

        private final Map<String, String> environment = new HashMap<>();
        private final List<Function<Settings, Module>> modules = new ArrayList<>();
        private boolean withoutDatabase;

        private Builder() {}

        /** A setting as an environment variable, e.g. {@code LASTCALL_HTTP_DRAIN_DELAY=3s}, over the test defaults. */
        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        public Builder env(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        /** A module made from the loaded settings, as {@code Main} makes the business modules. */
        public Builder module(Function<Settings, Module> module) {
            modules.add(module);
            return this;
        }

        public Builder module(Module module) {
            return module(settings -> module);
        }

        /** Leaves the database and the scheduler out of the lifecycle, for tests of HTTP alone. */
        public Builder withoutDatabase() {
            withoutDatabase = true;
            return this;
        }

        /** The service wired, nothing started. */
        public TestService create() throws IOException {
            Path stateDir = Files.createTempDirectory("lastcall-test");
            stateDir.toFile().deleteOnExit(); // when left empty by a test that did not close its service
            Map<String, String> variables = new HashMap<>(Map.of(
                    "LASTCALL_HTTP_PORT", "0",
                    "LASTCALL_ADMIN_PORT", "0",
                    "LASTCALL_STATE_DIR", stateDir.toString()));
            variables.putAll(environment);
            try {
                Settings settings = Settings.load(Optional.empty(), variables);
                PlatformModule platform = new PlatformModule(settings);
                List<Module> all = new ArrayList<>(List.of(platform));
                modules.forEach(module -> all.add(module.apply(settings)));
                if (withoutDatabase) {
                    all.add(new WithoutDatabase());
                }
                return new TestService(Guice.createInjector(Stage.PRODUCTION, all), platform.stopBudget(), stateDir);
            } catch (RuntimeException e) {
                deleteTree(stateDir);
                throw e;
            }
        }

        /** The service wired and started; a failed start stops what started and throws. */
        public TestService start() throws Exception {
            TestService service = create();
            try {
                service.lifecycle.start();
            } catch (Exception e) {
                service.close();
                throw e;
            }
            return service;
        }
    }

    public Lifecycle lifecycle() {
        return lifecycle;
    }

    public <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    public Transactions transactions() {
        return get(Transactions.class);
    }

    public StopBudget budget() {
        return budget;
    }

    /** The public port as bound at start; Jetty forgets it once the listener closes. */
    public int httpPort() {
        if (httpPort <= 0) {
            httpPort = get(HttpServer.class).port();
        }
        return httpPort;
    }

    public int adminPort() {
        return get(AdminServer.class).port();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + httpPort() + pathAndQuery);
    }

    public URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + adminPort() + path);
    }

    /** Stops as the shutdown hook would, within {@code shutdown.timeout}; a second call returns the first report. */
    public synchronized StopReport stop() {
        if (stopReport == null) {
            httpPort();
            stopReport = get(ShutdownSequence.class).run(budget.begin(), ExitStatus.OK).report();
        }
        return stopReport;
    }

    /** {@link #stop} on another thread. */
    public CompletableFuture<StopReport> stopInBackground() {
        return CompletableFuture.supplyAsync(this::stop, runnable -> Thread.ofPlatform().name("test-stop").start(runnable));
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            deleteTree(stateDir);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
}
