package dev.lastcall.platform.database.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Records what is logged while it is open, in order, as formatted messages. */
final class LogCapture implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger transactions = (Logger) LoggerFactory.getLogger(PooledTransactions.class);
    private final Level transactionsLevel = transactions.getLevel();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /** Also records PooledTransactions' DEBUG lines, which say when each unit of work committed. */
    LogCapture() {
        appender.start();
        root.addAppender(appender);
        transactions.setLevel(Level.DEBUG);
    }

    List<String> messages() {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** Position of the first message that starts with {@code prefix}, or -1. */
    int indexOf(String prefix) {
        List<String> messages = messages();
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    boolean contains(String prefix) {
        return indexOf(prefix) >= 0;
    }

    @Override
    public void close() {
        transactions.setLevel(transactionsLevel);
        root.detachAppender(appender);
        appender.stop();
    }
}
