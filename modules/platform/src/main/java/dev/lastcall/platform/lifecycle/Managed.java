package dev.lastcall.platform.lifecycle;

/** A component whose start and stop the lifecycle owns. Register it with {@link ManagedBinder}. */
public interface Managed {

    void start() throws Exception;

    /** Stops the component; must return by the deadline, cutting whatever is left at that point. */
    void stop(Deadline deadline) throws Exception;

    default String name() {
        return getClass().getSimpleName();
    }

    /** What the last stop achieved, for the one-line shutdown report. */
    default StopResult stopResult() {
        return StopResult.complete("");
    }
}
