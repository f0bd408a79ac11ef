package dev.lastcall.platform.http.internal;

/**
 * Whether the database answers, as health reports it. The composition root supplies it from the
 * database's own check, which bounds how long it takes and how often it reaches the database.
 */
@FunctionalInterface
public interface DatabaseProbe {

    Health.DatabaseHealth check();
}
