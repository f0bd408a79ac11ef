package dev.lastcall.platform.scheduling;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a job runs: {@code delay} after the previous run ended, plus a random part of up to {@code
 * jitter}, so processes started together do not run in lockstep.
 */
public record JobSchedule(Duration delay, Duration jitter) {

    public JobSchedule {
        Objects.requireNonNull(delay);
        Objects.requireNonNull(jitter);
        if (delay.isNegative() || delay.isZero() || jitter.isNegative()) {
            throw new IllegalArgumentException("delay must be > 0 and jitter >= 0: " + delay + ", " + jitter);
        }
    }

    public static JobSchedule every(Duration delay) {
        return new JobSchedule(delay, Duration.ZERO);
    }

    public JobSchedule withJitter(Duration value) {
        return new JobSchedule(delay, value);
    }

    /** Jitter of up to {@code delay / divisor}. */
    public JobSchedule withJitterDividedBy(long divisor) {
        // not Duration.dividedBy: it divides in BigDecimal, whose first use costs ~25 ms of a start
        return withJitter(Duration.ofNanos(delay.toNanos() / divisor));
    }

    public Duration nextDelay() {
        long jitterNanos = jitter.toNanos();
        return jitterNanos == 0 ? delay : delay.plusNanos(ThreadLocalRandom.current().nextLong(jitterNanos + 1));
    }
}
