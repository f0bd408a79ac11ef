package dev.lastcall.platform.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class NotifierTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger notifierLog = (Logger) LoggerFactory.getLogger(Notifier.class);

    @BeforeEach
    void captureLog() {
        logged.start();
        notifierLog.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        notifierLog.detachAppender(logged);
    }

    @Test
    void sendsEachMessageAsOneDatagramToAPathSocket() {
        try (DatagramReceiver systemd = DatagramReceiver.atPath(dir.resolve("notify"))) {
            Notifier notifier = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address()));

            notifier.ready("ready: http on port 8080");
            notifier.status("draining: 12 requests in flight");
            notifier.progress("stopping database", Duration.ofSeconds(3));
            notifier.stopping("stopping");
            notifier.watchdog();

            assertThat(systemd.next(WAIT)).contains("READY=1\nSTATUS=ready: http on port 8080");
            assertThat(systemd.next(WAIT)).contains("STATUS=draining: 12 requests in flight");
            assertThat(systemd.next(WAIT)).contains("STATUS=stopping database\nEXTEND_TIMEOUT_USEC=3000000");
            assertThat(systemd.next(WAIT)).contains("STOPPING=1\nSTATUS=stopping");
            assertThat(systemd.next(WAIT)).contains("WATCHDOG=1");
        }
        assertThat(logged.list).isEmpty();
    }

    @Test
    void reachesAnAbstractSocketNamedWithAnAt() {
        try (DatagramReceiver systemd = DatagramReceiver.abstractNamed()) {
            Notifier notifier = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address()));

            notifier.ready("ready");

            assertThat(systemd.address()).startsWith("@");
            assertThat(systemd.next(WAIT)).contains("READY=1\nSTATUS=ready");
        }
        assertThat(logged.list).isEmpty();
    }

    @Test
    void keepsAStatusOnOneLineSoItCannotForgeAnotherAssignment() {
        try (DatagramReceiver systemd = DatagramReceiver.atPath(dir.resolve("notify"))) {
            Notifier notifier = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", systemd.address()));

            notifier.status("failed: bad\nREADY=1");

            assertThat(systemd.next(WAIT)).contains("STATUS=failed: bad READY=1");
        }
    }

    @Test
    void isDisabledWithoutNotifySocket() {
        Notifier notifier = Notifier.fromEnvironment(Map.of("WATCHDOG_USEC", "1000000"));

        notifier.ready("ready");
        notifier.watchdog();

        assertThat(notifier.enabled()).isFalse();
        assertThat(logged.list).isEmpty();
    }

    @Test
    void isDisabledWithAWarningWhenNotifySocketIsNoUnixAddress() {
        Notifier notifier = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "vsock:2:1234"));

        assertThat(notifier.enabled()).isFalse();
        assertThat(logged.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("NOTIFY_SOCKET=vsock:2:1234").contains("not notifying");
        });
    }

    @Test
    void logsAFailedSendOnceAndCarriesOn() {
        Path nobodyListens = dir.resolve("gone");
        Notifier notifier = Notifier.fromEnvironment(Map.of("NOTIFY_SOCKET", nobodyListens.toString()));

        notifier.ready("ready");
        notifier.status("draining: 1 request in flight");
        notifier.watchdog();

        assertThat(notifier.enabled()).isTrue();
        assertThat(logged.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage())
                    .contains("cannot notify " + nobodyListens)
                    .contains("No such file or directory");
        });
    }
}
