package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessLogDurationTest {

    @ParameterizedTest
    @CsvSource({"0, 0.0", "49999, 0.0", "50000, 0.1", "1234567, 1.2", "12345678, 12.3", "12350000, 12.4",
            "999950000, 1000.0", "-5, 0.0"})
    void aDurationIsMillisecondsWithOneDecimalRoundedHalfUp(long nanos, String expected) {
        assertThat(AccessLog.millisToOneDecimal(nanos)).isEqualTo(expected);
    }

    @Test
    void itWritesWhatStringFormatWroteBefore() {
        for (int i = 0; i < 10_000; i++) {
            long nanos = ThreadLocalRandom.current().nextLong(0, 60_000_000_000L);
            assertThat(AccessLog.millisToOneDecimal(nanos)).as("%d ns", nanos)
                    .isEqualTo(String.format(Locale.ROOT, "%.1f", nanos / 1e6));
        }
    }
}
