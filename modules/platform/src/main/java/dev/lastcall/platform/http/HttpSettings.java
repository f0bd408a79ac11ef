package dev.lastcall.platform.http;

import dev.lastcall.platform.config.Settings;
import java.time.Duration;

/** The {@code http.*} and {@code admin.*} keys, validated. */
public record HttpSettings(
        String host,
        int port,
        Duration idleTimeout,
        Duration drainDelay,
        Duration stopTimeout,
        long maxRequestBody,
        String adminHost,
        int adminPort) {

    public static HttpSettings from(Settings settings) {
        return new HttpSettings(
                nonBlank(settings, "http.host"),
                settings.port("http.port"),
                settings.positiveDuration("http.idleTimeout"),
                settings.duration("http.drainDelay"),
                settings.duration("http.stopTimeout"),
                settings.bytes("http.maxRequestBody"),
                nonBlank(settings, "admin.host"),
                settings.port("admin.port"));
    }

    private static String nonBlank(Settings settings, String key) {
        String value = settings.string(key);
        if (value.isBlank()) {
            throw settings.invalid(key, "must not be empty");
        }
        return value;
    }
}
