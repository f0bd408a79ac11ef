package dev.lastcall.platform.process;

import dev.lastcall.platform.config.Settings;
import java.util.Locale;
import java.util.Set;

/** The process-wide key {@code log.level}; the stop's timeouts are in {@link dev.lastcall.platform.lifecycle.StopBudget}. */
public record ProcessSettings(String logLevel) {

    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    public static ProcessSettings from(Settings settings) {
        String level = settings.string("log.level").toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw settings.invalid("log.level", "must be one of " + String.join(", ", LEVELS.stream().sorted().toList()));
        }
        return new ProcessSettings(level);
    }
}
