package dev.lastcall.platform.process;

import dev.lastcall.platform.config.Settings;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The process-wide keys {@code log.level} and {@code log.format}; the stop's timeouts are in {@link dev.lastcall.platform.lifecycle.StopBudget}. */
public record ProcessSettings(String logLevel, LogFormat logFormat) {

    /** How each log event is written to stdout. */
    public enum LogFormat {
        /** One readable line. */
        TEXT,
        /** One JSON object per line. */
        JSON
    }

    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    public static ProcessSettings from(Settings settings) {
        String level = settings.string("log.level").toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw settings.invalid("log.level", "must be one of " + String.join(", ", LEVELS.stream().sorted().toList()));
        }
        return new ProcessSettings(level, format(settings));
    }

    private static LogFormat format(Settings settings) {
        String format = settings.string("log.format");
        return Arrays.stream(LogFormat.values())
                .filter(candidate -> candidate.name().toLowerCase(Locale.ROOT).equals(format))
                .findFirst()
                .orElseThrow(() -> settings.invalid("log.format", "must be one of " + Arrays.stream(LogFormat.values())
                        .map(f -> f.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))));
    }
}
