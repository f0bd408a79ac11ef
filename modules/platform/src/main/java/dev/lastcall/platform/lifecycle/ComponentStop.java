package dev.lastcall.platform.lifecycle;

import java.time.Duration;

/** How one component's stop went. */
public record ComponentStop(String name, Phase phase, Duration took, Outcome outcome, String summary) {

    public enum Outcome {
        /** Stopped in time with nothing cut. */
        COMPLETE,
        /** Stopped in time but had to cut work short. */
        CUT,
        /** Still running when its deadline passed; the lifecycle moved on without it. */
        MISSED_DEADLINE,
        /** Threw while stopping. */
        FAILED
    }

    public boolean complete() {
        return outcome == Outcome.COMPLETE;
    }
}
