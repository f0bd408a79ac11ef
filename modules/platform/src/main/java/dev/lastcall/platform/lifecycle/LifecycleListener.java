package dev.lastcall.platform.lifecycle;

import java.time.Duration;

/** Told of lifecycle transitions, e.g. to notify systemd. Must be quick and must not throw. */
public interface LifecycleListener {

    void stateChanged(LifecycleState from, LifecycleState to);

    /** {@code component} of {@code phase} started; its start took {@code took}. */
    default void componentStarted(Managed component, Phase phase, Duration took) {}

    /** {@code component}'s stop is about to begin. */
    default void componentStopping(Managed component) {}

    /** A component's stop ended, as the report will say. */
    default void componentStopped(ComponentStop stop) {}
}
