package dev.lastcall.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10));

    @Test
    void theCeilingDoublesWithEachFailedAttemptUpToTheMaximum() {
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.ceiling(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.ceiling(100)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void eachDelayIsBetweenHalfTheCeilingAndTheCeilingAndVaries() {
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration delay = backoff.after(3);
            assertThat(delay).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
            seen.add(delay);
        }
        assertThat(seen).hasSizeGreaterThan(10);
    }
}
