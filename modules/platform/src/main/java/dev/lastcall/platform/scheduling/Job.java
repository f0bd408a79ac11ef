package dev.lastcall.platform.scheduling;

/**
 * A unit of background work, run again and again. A run should do a bounded batch and return; it
 * must be safe to cut at any point (do the work in transactions), and should stop early when its
 * thread is interrupted.
 */
@FunctionalInterface
public interface Job {

    /**
     * What a run knows of the work it left: none, or more than its batch could take, in which case
     * it runs again at once instead of at its next tick (but never once the stop has begun).
     */
    enum Backlog {
        NONE, MORE
    }

    Backlog run() throws Exception;
}
