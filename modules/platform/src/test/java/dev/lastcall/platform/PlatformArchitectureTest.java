package dev.lastcall.platform;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The platform's insides depend one way (DESIGN.md): {@code config}, {@code context} (the current
 * request's ID and trace, which {@code http} binds and {@code outbox} stores) and {@code lifecycle}
 * at the bottom, {@code metrics} (the registry's settings and the JVM's meters) just above them;
 * {@code database}, {@code http}, {@code scheduling}, {@code outbox} and {@code systemd}
 * as peers that reach each other only through a module-facing package ({@code http}'s server maps
 * {@code database}'s {@code DatabaseUnavailable} to 503; {@code outbox} writes in a
 * {@code database} transaction); {@code process} and {@link PlatformModule} on top.
 */
class PlatformArchitectureTest {

    private static final JavaClasses PLATFORM = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.lastcall.platform");

    @Test
    void dependenciesInsideThePlatformRunOneWay() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("config").definedBy("dev.lastcall.platform.config..")
                .layer("context").definedBy("dev.lastcall.platform.context..")
                .layer("lifecycle").definedBy("dev.lastcall.platform.lifecycle..")
                .layer("metrics").definedBy("dev.lastcall.platform.metrics..")
                .layer("database").definedBy("dev.lastcall.platform.database")
                .layer("database internals").definedBy("dev.lastcall.platform.database.internal..")
                .layer("http").definedBy("dev.lastcall.platform.http")
                .layer("http server").definedBy("dev.lastcall.platform.http.internal..")
                .layer("scheduling").definedBy("dev.lastcall.platform.scheduling")
                .layer("scheduler").definedBy("dev.lastcall.platform.scheduling.internal..")
                .layer("outbox").definedBy("dev.lastcall.platform.outbox..")
                .layer("systemd").definedBy("dev.lastcall.platform.systemd..")
                .layer("process").definedBy("dev.lastcall.platform.process..")
                .layer("composition").definedBy("dev.lastcall.platform")
                .whereLayer("config").mayNotAccessAnyLayer()
                .whereLayer("context").mayNotAccessAnyLayer()
                .whereLayer("lifecycle").mayOnlyAccessLayers("config")
                .whereLayer("metrics").mayOnlyAccessLayers("config", "lifecycle")
                .whereLayer("database").mayOnlyAccessLayers("config", "lifecycle")
                .whereLayer("database internals").mayOnlyAccessLayers("config", "lifecycle", "database")
                .whereLayer("http").mayOnlyAccessLayers("config", "lifecycle")
                .whereLayer("http server").mayOnlyAccessLayers("config", "context", "lifecycle", "metrics", "http",
                        "database")
                .whereLayer("scheduling").mayOnlyAccessLayers("config", "lifecycle")
                .whereLayer("scheduler").mayOnlyAccessLayers("config", "lifecycle", "scheduling")
                .whereLayer("outbox").mayOnlyAccessLayers("config", "context", "lifecycle", "database")
                .whereLayer("systemd").mayOnlyAccessLayers("config", "lifecycle")
                .whereLayer("process").mayOnlyAccessLayers("config", "context", "lifecycle", "metrics", "database",
                        "database internals", "http", "http server", "scheduling", "scheduler", "outbox", "systemd")
                .whereLayer("composition").mayOnlyAccessLayers("config", "context", "lifecycle", "metrics", "database",
                        "database internals", "http", "http server", "scheduling", "scheduler", "outbox", "systemd",
                        "process")
                .check(PLATFORM);
    }
}
