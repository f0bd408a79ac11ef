package dev.lastcall.platform.metrics;

import dev.lastcall.platform.lifecycle.Deadline;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.StopResult;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import jakarta.inject.Inject;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer's JVM and process meters: memory, garbage collection, threads, classes, CPU, open file
 * descriptors, uptime. A component of the first phase, so they are there from the start; its stop
 * unhooks the GC listener (several services in one test JVM would otherwise keep theirs).
 */
public final class JvmMetrics implements Managed {

    private final MeterRegistry registry;
    private final MetricsSettings settings;
    private @Nullable JvmGcMetrics gc;

    @Inject
    JvmMetrics(MeterRegistry registry, MetricsSettings settings) {
        this.registry = registry;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public void start() {
        if (!settings.enabled()) {
            return;
        }
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics collections = new JvmGcMetrics();
        collections.bindTo(registry);
        gc = collections;
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    @Override
    public StopResult stop(Deadline deadline) {
        JvmGcMetrics collections = gc;
        if (collections != null) {
            collections.close();
        }
        return StopResult.complete("");
    }
}
