package dev.lastcall.platform.lifecycle;

/** Start ascending, stop descending. Guice gives no order across modules, so the phase does. */
public enum Phase {
    /** The admin port: health answers from before the start until after the stop's report. */
    ADMIN,
    /** The database, the pool and {@code Transactions}. */
    DATABASE,
    /** Background jobs. */
    WORKERS,
    /** The public HTTP port. */
    HTTP
}
