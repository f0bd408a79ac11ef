package dev.lastcall.platform.systemd;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads systemd's watchdog settings: {@code WATCHDOG_USEC} and, if set, {@code WATCHDOG_PID}. */
final class Watchdog {

    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);

    static final String WATCHDOG_USEC = "WATCHDOG_USEC";
    static final String WATCHDOG_PID = "WATCHDOG_PID";

    private Watchdog() {}

    /**
     * How often to send {@code WATCHDOG=1}: half of {@code WATCHDOG_USEC}, as sd_watchdog_enabled(3)
     * advises. Empty when the watchdog is off, its settings are unusable, or they are meant for
     * another process.
     */
    static Optional<Duration> pingInterval(Map<String, String> environment, long pid) {
        String usec = environment.getOrDefault(WATCHDOG_USEC, "");
        if (usec.isEmpty()) {
            return Optional.empty();
        }
        long timeout;
        try {
            timeout = Long.parseLong(usec);
        } catch (NumberFormatException e) {
            timeout = 0;
        }
        if (timeout <= 0) {
            log.warn("systemd: WATCHDOG_USEC={} is not a positive number of microseconds; not pinging the watchdog", usec);
            return Optional.empty();
        }
        String watchdogPid = environment.getOrDefault(WATCHDOG_PID, "");
        if (!watchdogPid.isEmpty() && !watchdogPid.equals(Long.toString(pid))) {
            log.info("systemd: WATCHDOG_PID={} is not this process ({}); not pinging the watchdog", watchdogPid, pid);
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(timeout * 1_000 / 2));
    }
}
