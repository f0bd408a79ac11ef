package dev.lastcall.platform.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WatchdogTest {

    private static final long PID = 4242;

    @Test
    void pingsEveryHalfOfWatchdogUsec() {
        assertThat(Watchdog.pingInterval(Map.of("WATCHDOG_USEC", "30000000"), PID)).contains(Duration.ofSeconds(15));
        assertThat(Watchdog.pingInterval(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "4242"), PID))
                .contains(Duration.ofSeconds(15));
    }

    @Test
    void staysOffWithoutWatchdogUsecOrWhenItIsMeantForAnotherProcess() {
        assertThat(Watchdog.pingInterval(Map.of(), PID)).isEmpty();
        assertThat(Watchdog.pingInterval(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "4243"), PID)).isEmpty();
    }

    @Test
    void staysOffWhenWatchdogUsecIsNotAPositiveNumber() {
        assertThat(Watchdog.pingInterval(Map.of("WATCHDOG_USEC", "30s"), PID)).isEmpty();
        assertThat(Watchdog.pingInterval(Map.of("WATCHDOG_USEC", "0"), PID)).isEmpty();
    }
}
