package dev.lastcall.platform.lifecycle;

/** A start failure with a documented exit status and a message fit for one log line. */
public class StartFailure extends Exception {

    private final ExitStatus status;

    public StartFailure(ExitStatus status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public ExitStatus status() {
        return status;
    }
}
