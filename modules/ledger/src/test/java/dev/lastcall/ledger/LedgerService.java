package dev.lastcall.ledger;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import dev.lastcall.platform.PlatformModule;
import dev.lastcall.platform.config.Settings;
import dev.lastcall.platform.database.Transactions;
import dev.lastcall.platform.http.HttpServer;
import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Lifecycle;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The real service in this JVM: the platform and the ledger wired by Guice and driven by their
 * {@link Lifecycle}, with free ports and a fresh state directory (so its own embedded PostgreSQL).
 */
final class LedgerService implements AutoCloseable {

    private static final Duration STOP_BUDGET = Duration.ofSeconds(30);

    private final Injector injector;
    private final Lifecycle lifecycle;
    private final Path stateDir;

    private LedgerService(Injector injector, Path stateDir) {
        this.injector = injector;
        this.lifecycle = injector.getInstance(Lifecycle.class);
        this.stateDir = stateDir;
    }

    static LedgerService start() throws Exception {
        return start(Map.of());
    }

    /** Starts with the defaults, free ports, a temporary state directory and {@code environment} over them. */
    static LedgerService start(Map<String, String> environment) throws Exception {
        Path stateDir = Files.createTempDirectory("lastcall-ledger-test");
        Map<String, String> variables = new HashMap<>(Map.of(
                "LASTCALL_HTTP_PORT", "0",
                "LASTCALL_ADMIN_PORT", "0",
                "LASTCALL_STATE_DIR", stateDir.toString()));
        variables.putAll(environment);
        Settings settings = Settings.load(Optional.empty(), variables);
        List<Module> modules = List.of(new PlatformModule(settings), new LedgerModule(settings));
        LedgerService service = new LedgerService(Guice.createInjector(modules), stateDir);
        try {
            service.lifecycle.start();
        } catch (Exception e) {
            service.close();
            throw e;
        }
        return service;
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + injector.getInstance(HttpServer.class).port() + pathAndQuery);
    }

    int port() {
        return injector.getInstance(HttpServer.class).port();
    }

    /** The platform's own transactions, for tests that look into the database or hold a lock. */
    Transactions transactions() {
        return injector.getInstance(Transactions.class);
    }

    @Override
    public void close() throws IOException {
        try {
            lifecycle.stop(Deadline.after(STOP_BUDGET));
        } finally {
            try (Stream<Path> files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
