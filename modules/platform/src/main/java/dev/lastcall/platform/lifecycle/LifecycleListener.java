package dev.lastcall.platform.lifecycle;

/** Told of lifecycle transitions, e.g. to notify systemd. Must be quick and must not throw. */
public interface LifecycleListener {

    void stateChanged(LifecycleState from, LifecycleState to);

    /** {@code component}'s stop is about to begin. */
    default void componentStopping(Managed component) {}
}
