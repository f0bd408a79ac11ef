package dev.lastcall.platform.metrics;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Makes the service's one registry. */
public final class MetricsRegistry {

    private MetricsRegistry() {}

    /** A Prometheus registry; with metrics disabled, one that denies every meter, so each is a no-op. */
    public static PrometheusMeterRegistry create(MetricsSettings settings) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        if (!settings.enabled()) {
            registry.config().meterFilter(MeterFilter.deny());
        }
        return registry;
    }
}
