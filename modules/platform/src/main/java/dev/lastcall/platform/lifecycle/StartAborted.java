package dev.lastcall.platform.lifecycle;

/** Start gave up because a stop was requested while it ran; the stop handles the rest. */
public final class StartAborted extends Exception {

    public StartAborted() {
        super("start aborted: stop requested");
    }
}
