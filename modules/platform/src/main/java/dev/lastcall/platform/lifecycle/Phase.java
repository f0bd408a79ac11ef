package dev.lastcall.platform.lifecycle;

/** Start ascending, stop descending. Guice gives no order across modules, so the phase does. */
public enum Phase {
    DATABASE,
    WORKERS,
    HTTP
}
