package dev.lastcall.platform.lifecycle;

import java.time.Duration;

/** The one way durations are written in logs and reports: seconds with three decimals, {@code 0.123s}. */
public final class Seconds {

    private Seconds() {}

    public static String of(Duration duration) {
        return "%.3fs".formatted(duration.toNanos() / 1e9);
    }

    /** The time since {@code nanoTime}, a value of {@link System#nanoTime()}. */
    public static String since(long nanoTime) {
        return of(Duration.ofNanos(System.nanoTime() - nanoTime));
    }
}
