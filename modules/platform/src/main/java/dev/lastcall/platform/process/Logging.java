package dev.lastcall.platform.process;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies {@code log.level} to the root logger. */
public final class Logging {

    private Logging() {}

    public static void apply(ProcessSettings settings) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(settings.logLevel()));
        }
    }
}
