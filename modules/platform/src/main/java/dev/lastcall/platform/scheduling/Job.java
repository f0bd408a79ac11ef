package dev.lastcall.platform.scheduling;

/**
 * A unit of background work, run again and again. A run should do a bounded batch and return; it
 * must be safe to cut at any point (do the work in transactions), and should stop early when its
 * thread is interrupted.
 */
@FunctionalInterface
public interface Job {

    void run() throws Exception;
}
