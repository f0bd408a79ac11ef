package dev.lastcall.platform.scheduling.internal;

/**
 * Whether a job may start a run now. Closed while the database, which every job needs, is known to
 * be unreachable: the scheduler then skips the run instead of failing and logging at each tick.
 */
@FunctionalInterface
public interface JobGate {

    JobGate ALWAYS_OPEN = () -> true;

    boolean open();

    /** Whether {@code failure} is the unavailability this gate stands for (logged once elsewhere), not the job's. */
    default boolean explains(Exception failure) {
        return !open();
    }
}
