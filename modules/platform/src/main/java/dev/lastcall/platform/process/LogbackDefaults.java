package dev.lastcall.platform.process;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;
import org.slf4j.Logger;

/**
 * Logback's configuration, as code: what {@code config/logback.xml} says, without parsing XML at
 * every start (Joran took about 60 ms of it). Given a file with {@code -Dlogback.configurationFile},
 * Logback reads that file instead. Found by Logback through {@code META-INF/services}.
 */
public final class LogbackDefaults extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%6relative %-5level %logger{0} - %msg%replace( [%X{requestId}]){' \\[\\]', ''}%n";
    static final List<String> WARN_ONLY = List.of("org.eclipse.jetty", "com.zaxxer.hikari", "org.flywaydb", "io.zonky");

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
        stdout.setContext(context);
        stdout.setName("STDOUT");
        stdout.setEncoder(encoder);
        stdout.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stdout);
        WARN_ONLY.forEach(name -> context.getLogger(name).setLevel(Level.WARN));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
