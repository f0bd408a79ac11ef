package dev.lastcall.platform.lifecycle;

import dev.lastcall.platform.config.Settings;
import java.time.Duration;

/**
 * The one stop budget, {@code shutdown.timeout}, and how the shutdown sequence carves it: each
 * step gets what is left of the whole, capped by its own timeout, never a fresh timeout. Every
 * timeout and reserve of a stop is here, validated together at start.
 *
 * @param total {@code shutdown.timeout}: the whole stop
 * @param drainDelay {@code http.drainDelay}: serving with {@code Connection: close} before the listener closes
 * @param httpDrain {@code http.stopTimeout}: in-flight requests once the listener is closed
 * @param workers {@code workers.stopTimeout}: a running job, before it is interrupted
 * @param transactions {@code db.stopTimeout}: open transactions, before they are rolled back
 */
public record StopBudget(Duration total, Duration drainDelay, Duration httpDrain, Duration workers,
        Duration transactions) {

    /**
     * Even with the budget spent (an earlier step hung), a component gets this long to stop, so one
     * that stops at once is not reported as having missed its deadline.
     */
    public static final Duration MIN_STOP_WAIT = Duration.ofMillis(100);
    /** An interrupted job gets this long to end before it is left behind. */
    public static final Duration INTERRUPTED_JOB_WAIT = Duration.ofSeconds(1);
    /** Kept back from the transaction drain for closing the pool and stopping the embedded PostgreSQL. */
    public static final Duration DATABASE_CLOSE_RESERVE = Duration.ofSeconds(1);
    /** Past the budget, time to write the report before the watchdog dumps the threads and halts. */
    public static final Duration REPORT_GRACE = Duration.ofSeconds(1);

    /** @throws dev.lastcall.platform.config.ConfigError naming the key whose value breaks the budget */
    public static StopBudget from(Settings settings) {
        StopBudget budget = new StopBudget(
                settings.positiveDuration("shutdown.timeout"),
                settings.duration("http.drainDelay"),
                settings.duration("http.stopTimeout"),
                settings.duration("workers.stopTimeout"),
                settings.positiveDuration("db.stopTimeout"));
        if (budget.drainDelay.plus(budget.httpDrain).compareTo(budget.total) >= 0) {
            throw settings.invalid("shutdown.timeout", "must exceed http.drainDelay + http.stopTimeout (%dms + %dms)"
                    .formatted(budget.drainDelay.toMillis(), budget.httpDrain.toMillis()));
        }
        if (budget.transactions.compareTo(budget.total) >= 0) {
            throw settings.invalid("db.stopTimeout",
                    "must be less than shutdown.timeout (%dms)".formatted(budget.total.toMillis()));
        }
        return budget;
    }

    /** The deadline of a stop that begins now. */
    public Deadline begin() {
        return Deadline.after(total);
    }

    public Deadline drainDelay(Deadline stop) {
        return stop.atMost(drainDelay);
    }

    public Deadline httpDrain(Deadline stop) {
        return stop.atMost(httpDrain);
    }

    public Deadline workers(Deadline stop) {
        return stop.atMost(workers);
    }

    public Deadline transactions(Deadline stop) {
        return stop.minus(DATABASE_CLOSE_RESERVE).atMost(transactions);
    }

    /** How long after its start a stop is taken to hang. */
    public Duration hangsAfter() {
        return total.plus(REPORT_GRACE);
    }
}
