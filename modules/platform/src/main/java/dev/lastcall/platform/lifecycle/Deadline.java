package dev.lastcall.platform.lifecycle;

import java.time.Duration;

/** A point in monotonic time by which something must be done. */
public record Deadline(long nanoTime) {

    public static Deadline after(Duration duration) {
        return new Deadline(System.nanoTime() + saturatedNanos(duration));
    }

    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, nanoTime - System.nanoTime()));
    }

    public boolean hasExpired() {
        return nanoTime - System.nanoTime() <= 0;
    }

    /** This deadline moved {@code reserve} earlier, to keep time back for what comes after. */
    public Deadline minus(Duration reserve) {
        return new Deadline(nanoTime - saturatedNanos(reserve));
    }

    /** The earlier of this deadline and {@code duration} from now. */
    public Deadline atMost(Duration duration) {
        Deadline other = after(duration);
        return other.nanoTime - nanoTime < 0 ? other : this;
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }
}
