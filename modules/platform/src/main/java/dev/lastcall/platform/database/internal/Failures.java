package dev.lastcall.platform.database.internal;

import org.jspecify.annotations.Nullable;

/** Exceptions told in one log line. */
final class Failures {

    private Failures() {}

    /** The message and its causes' messages, on one line, without the rulers some libraries draw. */
    static String oneLine(Throwable e) {
        StringBuilder line = new StringBuilder(String.valueOf(e.getMessage()));
        for (@Nullable Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            line.append(": ").append(cause.getMessage());
        }
        return line.toString().replaceAll("-{3,}", " ").replaceAll("\\s+", " ").strip();
    }
}
