package dev.lastcall.platform.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How long ago this process was started, to the kernel's clock tick. {@link ProcessHandle.Info#startInstant}
 * is off by up to a second: it adds the process's start to the boot time, which Linux gives in
 * whole seconds. Both counts used here are since boot, so no boot time is needed.
 */
final class ProcessAge {

    /** The kernel's USER_HZ: {@code /proc} counts a process's times in hundredths of a second. */
    private static final int TICKS_PER_SECOND = 100;
    /** {@code starttime}'s place among the fields after the command's name in {@code /proc/self/stat}. */
    private static final int START_TIME = 19;

    private ProcessAge() {}

    static Optional<Duration> now() {
        try {
            return Optional.of(between(Files.readString(Path.of("/proc/self/stat")), Files.readString(Path.of("/proc/uptime"))));
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().info().startInstant().map(start -> Duration.between(start, Instant.now()));
        }
    }

    /** The age from {@code /proc/self/stat} and {@code /proc/uptime} as read. */
    static Duration between(String stat, String uptime) {
        // the name in parentheses may hold spaces and parentheses itself: the fields start after the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long startTicks = Long.parseLong(fields[START_TIME]);
        long uptimeMillis = Math.round(Double.parseDouble(uptime.substring(0, uptime.indexOf(' '))) * 1000);
        return Duration.ofMillis(uptimeMillis - startTicks * 1000 / TICKS_PER_SECOND);
    }
}
