package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.config.Settings;
import java.time.Duration;

/** The {@code http.*} and {@code admin.*} keys, validated; the stop's are in {@link dev.lastcall.platform.lifecycle.StopBudget}. */
public record HttpSettings(
        String host,
        int port,
        Duration idleTimeout,
        Duration drainIdleTimeout,
        Duration warmUp,
        long maxRequestBody,
        boolean accessLog,
        TrustedProxies trustedProxies,
        String adminHost,
        int adminPort) {

    public static HttpSettings from(Settings settings) {
        return new HttpSettings(
                nonBlank(settings, "http.host"),
                settings.port("http.port"),
                settings.positiveDuration("http.idleTimeout"),
                settings.duration("http.drainIdleTimeout"),
                settings.duration("http.warmUp"),
                settings.bytes("http.maxRequestBody"),
                settings.bool("http.accessLog"),
                trustedProxies(settings),
                nonBlank(settings, "admin.host"),
                settings.port("admin.port"));
    }

    private static TrustedProxies trustedProxies(Settings settings) {
        try {
            return TrustedProxies.parse(settings.strings("http.trustedProxies"));
        } catch (IllegalArgumentException e) {
            throw settings.invalid("http.trustedProxies", e.getMessage());
        }
    }

    private static String nonBlank(Settings settings, String key) {
        String value = settings.string(key);
        if (value.isBlank()) {
            throw settings.invalid(key, "must not be empty");
        }
        return value;
    }
}
