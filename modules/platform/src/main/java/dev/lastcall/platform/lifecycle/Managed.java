package dev.lastcall.platform.lifecycle;

/** A component whose start and stop the lifecycle owns. Register it with {@link ManagedBinder}. */
public interface Managed {

    void start() throws Exception;

    /**
     * Stops the component: by {@code deadline} it cuts whatever is left, and returns soon after.
     *
     * @return what the stop achieved, for the one-line shutdown report
     */
    StopResult stop(Deadline deadline) throws Exception;

    default String name() {
        return getClass().getSimpleName();
    }

    /** What the component is doing while it stops, for systemd's status line; asked every second. */
    default String stopStatus() {
        return "stopping " + name();
    }
}
