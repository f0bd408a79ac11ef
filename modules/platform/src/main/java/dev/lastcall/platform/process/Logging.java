package dev.lastcall.platform.process;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log.level} to the root logger and, for {@code log.format = json}, gives the root's
 * appenders (stdout, per {@link LogbackDefaults} or the file given) Logback's {@link JsonEncoder} instead of the text
 * pattern.
 */
public final class Logging {

    private Logging() {}

    public static void apply(ProcessSettings settings) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(settings.logLevel()));
        if (settings.logFormat() == ProcessSettings.LogFormat.JSON) {
            for (Iterator<Appender<ILoggingEvent>> appenders = root.iteratorForAppenders(); appenders.hasNext(); ) {
                if (appenders.next() instanceof OutputStreamAppender<ILoggingEvent> output) {
                    output.stop();
                    output.setEncoder(jsonEncoder(context));
                    output.start();
                }
            }
        }
    }

    /**
     * One object per line: timestamp (Unix milliseconds), level, threadName, loggerName, mdc,
     * kvpList (an event's key-value pairs), formattedMessage, throwable. Left out: the message
     * template and its arguments (the formatted message says it once), the sequence number, the
     * nanoseconds and the logger context.
     */
    static JsonEncoder jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }
}
