package dev.lastcall.platform.http.internal;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Records every event logged while it is open, with its MDC and key-value pairs. */
final class LogEvents implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogEvents() {
        appender.start();
        root.addAppender(appender);
    }

    List<ILoggingEvent> all() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    List<ILoggingEvent> from(String logger) {
        return all().stream().filter(event -> event.getLoggerName().equals(logger)).toList();
    }

    List<ILoggingEvent> accessLines() {
        return from(AccessLog.LOGGER);
    }

    /** The access log's lines for the request with this ID. */
    List<ILoggingEvent> accessLines(String requestId) {
        return accessLines().stream().filter(event -> requestId.equals(event.getMDCPropertyMap().get("requestId"))).toList();
    }

    static Map<String, String> keyValues(ILoggingEvent event) {
        Map<String, String> values = new LinkedHashMap<>();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            pairs.forEach(pair -> values.put(pair.key, String.valueOf(pair.value)));
        }
        return values;
    }

    /** Everything an event would write: message, MDC and key-value pairs. */
    static String everything(ILoggingEvent event) {
        return event.getFormattedMessage() + " " + event.getMDCPropertyMap() + " " + keyValues(event);
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
