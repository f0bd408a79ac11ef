package dev.lastcall.platform.process;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;

/**
 * Logback's configuration, as code: what {@code config/logback.xml} says, without parsing XML at
 * every start (Joran took about 60 ms of it). Given a file with {@code -Dlogback.configurationFile}
 * that exists, Logback reads that file instead. Found by Logback through {@code META-INF/services}.
 */
public final class LogbackDefaults extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%6relative %-5level %logger{0} - %msg%replace( [%X{requestId}]){' \\[\\]', ''}%n";
    static final List<String> WARN_ONLY = List.of("org.eclipse.jetty", "com.zaxxer.hikari", "org.flywaydb", "io.zonky");

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        String given = System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY);
        if (given != null && exists(given)) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        if (given != null) {
            addWarn("no logback configuration at " + given + "; logging as config/logback.xml says");
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

    /** Where Logback looks for {@code -Dlogback.configurationFile}: a URL, a file, a class path resource. */
    private static boolean exists(String location) {
        try {
            String scheme = new URI(location).getScheme();
            if (scheme != null && scheme.length() > 1) {
                return true;
            }
        } catch (URISyntaxException notAUrl) {
            // a path
        }
        try {
            if (Files.isRegularFile(Path.of(location))) {
                return true;
            }
        } catch (InvalidPathException notAPath) {
            // perhaps a resource
        }
        return LogbackDefaults.class.getClassLoader().getResource(location) != null;
    }
}
