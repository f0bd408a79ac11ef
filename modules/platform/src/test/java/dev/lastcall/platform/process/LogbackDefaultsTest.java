package dev.lastcall.platform.process;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The configuration in code says what {@code config/logback.xml}, the file to start one's own from, says. */
class LogbackDefaultsTest {

    private static final String XML = "../../config/logback.xml";

    @Test
    void configuresWhatTheShippedXmlSays() throws JoranException {
        LoggerContext fromCode = new LoggerContext();
        LogbackDefaults defaults = new LogbackDefaults();
        defaults.setContext(fromCode);
        assertThat(defaults.configure(fromCode)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        LoggerContext fromXml = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromXml);
        joran.doConfigure(XML);

        assertThat(describe(fromCode)).isEqualTo(describe(fromXml)).isNotEmpty();
    }

    @Test
    void leavesTheConfigurationToAFileGivenOnTheCommandLine() {
        System.setProperty("logback.configurationFile", XML);
        try {
            LoggerContext context = new LoggerContext();
            LogbackDefaults defaults = new LogbackDefaults();
            defaults.setContext(context);
            assertThat(defaults.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders()).isExhausted();
        } finally {
            System.clearProperty("logback.configurationFile");
        }
    }

    @Test
    void configuresItselfWhenTheFileGivenIsNotThere() throws JoranException {
        System.setProperty("logback.configurationFile", "/nonexistent/logback.xml");
        try {
            LoggerContext context = new LoggerContext();
            LogbackDefaults defaults = new LogbackDefaults();
            defaults.setContext(context);
            assertThat(defaults.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
            LoggerContext fromXml = new LoggerContext();
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(fromXml);
            joran.doConfigure(XML);
            assertThat(describe(context)).isEqualTo(describe(fromXml));
        } finally {
            System.clearProperty("logback.configurationFile");
        }
    }

    private static List<String> describe(LoggerContext context) {
        List<String> lines = new ArrayList<>();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        lines.add("root " + root.getLevel());
        root.iteratorForAppenders().forEachRemaining(appender -> {
            ConsoleAppender<?> console = (ConsoleAppender<?>) appender;
            lines.add("appender " + console.getName() + " " + ((PatternLayoutEncoder) console.getEncoder()).getPattern());
        });
        for (ch.qos.logback.classic.Logger logger : context.getLoggerList()) {
            Level level = logger.getLevel();
            if (level != null && logger != root) {
                lines.add(logger.getName() + " " + level);
            }
        }
        return lines;
    }
}
