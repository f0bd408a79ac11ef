package dev.lastcall.platform.process;

import dev.lastcall.platform.lifecycle.ComponentStop;
import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.LifecycleListener;
import dev.lastcall.platform.lifecycle.LifecycleState;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.Phase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lifecycle as meters: its state (1 for the current one), how long each component's last start
 * and last stop took, and the exit status of the last stop, which the admin port shows until it
 * closes just after the report.
 */
@Singleton
public final class LifecycleMetrics implements LifecycleListener {

    private final MeterRegistry registry;
    private final ConcurrentMap<String, AtomicLong> startNanos = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicLong> stopNanos = new ConcurrentHashMap<>();
    private volatile double exitStatus = Double.NaN;

    @Inject
    LifecycleMetrics(Lifecycle lifecycle, MeterRegistry registry) {
        this.registry = registry;
        for (LifecycleState state : LifecycleState.values()) {
            Gauge.builder("lastcall.lifecycle.state", lifecycle, l -> l.state() == state ? 1 : 0)
                    .description("1 for the lifecycle's current state, 0 for the others")
                    .tag("state", lowerCase(state))
                    .strongReference(true)
                    .register(registry);
        }
        Gauge.builder("lastcall.lifecycle.exit_status", this, metrics -> metrics.exitStatus)
                .description("The exit status the last stop reported (NaN before a stop)")
                .register(registry);
        lifecycle.addListener(this);
    }

    /** The stop's report is out: the process will exit with {@code status}. */
    void exited(ExitStatus status) {
        exitStatus = status.code();
    }

    @Override
    public void stateChanged(LifecycleState from, LifecycleState to) {}

    @Override
    public void componentStarted(Managed component, Phase phase, Duration took) {
        duration(startNanos, "lastcall.lifecycle.start.duration", "How long the component's last start took",
                component.name(), phase).set(took.toNanos());
    }

    @Override
    public void componentStopped(ComponentStop stop) {
        duration(stopNanos, "lastcall.lifecycle.stop.duration", "How long the component's last stop took",
                stop.name(), stop.phase()).set(stop.took().toNanos());
    }

    private AtomicLong duration(ConcurrentMap<String, AtomicLong> durations, String name, String description,
            String component, Phase phase) {
        return durations.computeIfAbsent(component, c -> {
            AtomicLong nanos = new AtomicLong();
            TimeGauge.builder(name, nanos, TimeUnit.NANOSECONDS, AtomicLong::doubleValue)
                    .description(description)
                    .tag("component", c)
                    .tag("phase", lowerCase(phase))
                    .register(registry);
            return nanos;
        });
    }

    private static String lowerCase(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
