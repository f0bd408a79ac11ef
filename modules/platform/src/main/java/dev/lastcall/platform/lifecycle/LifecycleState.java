package dev.lastcall.platform.lifecycle;

public enum LifecycleState {
    NEW,
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED,
    FAILED
}
