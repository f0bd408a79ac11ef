package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.lifecycle.Lifecycle;
import dev.lastcall.platform.lifecycle.LifecycleState;

/**
 * What the health endpoints say.
 *
 * @param status "ready", "starting", "draining", "stopped" or "failed"
 * @param inFlight requests on the public port that have started and not yet completed
 */
public record Health(String status, LifecycleState state, long inFlight) {

    static Health of(Lifecycle lifecycle, long inFlight) {
        LifecycleState state = lifecycle.state();
        String status = switch (state) {
            case NEW, STARTING -> "starting";
            case RUNNING -> "ready";
            case STOPPING -> "draining";
            case STOPPED -> "stopped";
            case FAILED -> "failed";
        };
        return new Health(status, state, inFlight);
    }

    /** Live unless the lifecycle failed: the process answers and is not broken. */
    public boolean live() {
        return state != LifecycleState.FAILED;
    }

    public boolean ready() {
        return state == LifecycleState.RUNNING;
    }
}
