package dev.lastcall.platform.config;

/** A configuration problem, told in one line that names the key and where its value came from. */
public final class ConfigError extends RuntimeException {

    public ConfigError(String message) {
        super(message);
    }

    public ConfigError(String key, String origin, String problem) {
        super("%s: %s (from %s)".formatted(key, problem, origin));
    }
}
