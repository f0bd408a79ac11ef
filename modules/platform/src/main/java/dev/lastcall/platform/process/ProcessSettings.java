package dev.lastcall.platform.process;

import dev.lastcall.platform.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/** The process-wide keys: {@code shutdown.timeout}, {@code state.dir}, {@code log.level}. */
public record ProcessSettings(Duration shutdownTimeout, Path stateDir, String logLevel) {

    private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    public static ProcessSettings from(Settings settings) {
        String level = settings.string("log.level").toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw settings.invalid("log.level", "must be one of " + String.join(", ", LEVELS.stream().sorted().toList()));
        }
        return new ProcessSettings(settings.positiveDuration("shutdown.timeout"), settings.path("state.dir"), level);
    }
}
