package dev.lastcall.platform.metrics;

import dev.lastcall.platform.config.Settings;

/**
 * The {@code metrics.*} keys. With {@code enabled} false the registry keeps no meter (every meter a
 * module registers is a no-op), the HTTP server times no request, and the admin port has no
 * {@code /metrics} (404).
 */
public record MetricsSettings(boolean enabled) {

    public static MetricsSettings from(Settings settings) {
        return new MetricsSettings(settings.bool("metrics.enabled"));
    }
}
