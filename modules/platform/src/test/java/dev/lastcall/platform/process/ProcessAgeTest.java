package dev.lastcall.platform.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessAgeTest {

    @Test
    void theAgeIsTheUptimeLessTheStartBothInTicksSinceBoot() {
        String stat = "4242 (java) S 1 4242 4242 0 -1 4194560 99 0 0 0 7 3 0 0 20 0 30 0 1705239 3133440 412 0";

        assertThat(ProcessAge.between(stat, "17064.71 22178.93\n")).isEqualTo(Duration.ofMillis(12_320));
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String stat = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 99 0 0 0 7 3 0 0 20 0 30 0 100 3133440 412 0";

        assertThat(ProcessAge.between(stat, "2.50 1.00\n")).isEqualTo(Duration.ofMillis(1_500));
    }

    @Test
    void thisProcessIsAsOldAsTheJvmSaysToTheTick() {
        long jvmUptime = ManagementFactory.getRuntimeMXBean().getUptime();

        Duration age = ProcessAge.now().orElseThrow();

        // the process existed a few milliseconds before the JVM began to count; a clock tick is 10 ms.
        // (The JDK's start instant was off by the boot time's fraction of a second, so this catches
        // it on most machines, not all: the parsing tests above are the exact guard.)
        assertThat(age.toMillis()).isBetween(jvmUptime - 20, jvmUptime + 500);
    }
}
