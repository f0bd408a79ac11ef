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
                warmUp(settings),
                settings.bytes("http.maxRequestBody"),
                settings.bool("http.accessLog"),
                trustedProxies(settings),
                nonBlank(settings, "admin.host"),
                settings.port("admin.port"));
    }

    /** A reload whose successor is not ready within 120 s fails; the warm-up must leave it the time to start. */
    static final Duration LONGEST_WARM_UP = Duration.ofSeconds(60);

    private static Duration warmUp(Settings settings) {
        Duration warmUp = settings.duration("http.warmUp");
        if (warmUp.compareTo(LONGEST_WARM_UP) > 0) {
            throw settings.invalid("http.warmUp", "must be at most 60s (a reload's successor not ready within 120s is stopped)");
        }
        return warmUp;
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
