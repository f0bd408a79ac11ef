package dev.lastcall.platform.config;

import java.util.Locale;

/** The one rule from a key to its environment variable: {@code http.drainDelay} → {@code LASTCALL_HTTP_DRAIN_DELAY}. */
public final class EnvironmentNames {

    public static final String PREFIX = "LASTCALL_";

    private EnvironmentNames() {}

    public static String of(String key) {
        String snake = key.replace('.', '_').replaceAll("([a-z0-9])([A-Z])", "$1_$2");
        return PREFIX + snake.toUpperCase(Locale.ROOT);
    }
}
