package dev.lastcall.platform.lifecycle;

/** The process exit statuses; the README's table lists the same. */
public enum ExitStatus {
    /** Stopped cleanly: everything drained in time. */
    OK(0),
    /** A component failed to start (e.g. a port already in use). */
    START_FAILED(1),
    /** Bad configuration or command line: a key, a value, a file or an argument. */
    CONFIG_ERROR(2),
    /** The database could not be reached at start. */
    DATABASE_UNREACHABLE(3),
    /** Stopped, but something had to be cut: a request, a job or a transaction. */
    STOP_CUT(4),
    /** The stop hung past {@code shutdown.timeout}; threads were dumped and the process halted. */
    STOP_HUNG(5),
    /** A second Ctrl-C (SIGINT) during a stop: halted at once. */
    INTERRUPTED(130);

    private final int code;

    ExitStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
