package dev.lastcall.platform.http.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lastcall.platform.lifecycle.LifecycleState;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the health endpoints say. {@code status}, {@code state} and {@code inFlight} are the
 * lifecycle's, and they decide 200 or 503, but for a database the service knows is unreachable,
 * which makes readiness 503 too; {@code components} says how each part is doing, each {@code up}
 * or {@code down}.
 *
 * @param status "ready", "database_down" (running, but the database is unreachable), "starting",
 *     "draining", "stopped" or "failed"
 * @param inFlight requests on the public port that have started and not yet completed
 */
public record Health(String status, LifecycleState state, long inFlight, Components components) {

    static final String UP = "up";
    static final String DOWN = "down";

    /** The parts of the service, each with its own status. */
    public record Components(LifecycleHealth lifecycle, DatabaseHealth database, HttpHealth http) {}

    /** Up while the lifecycle is {@code RUNNING}. */
    public record LifecycleHealth(String status, LifecycleState state) {}

    /**
     * Up when a connection from the pool validated at {@code checkedAt}.
     *
     * @param latencyMs how long borrowing and validating the connection took, when up
     * @param error why it is down
     * @param unreachableSince set while the service knows the database is unreachable (it refuses
     *     work that needs it): readiness is 503 then; a single slow or failed check does not set it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DatabaseHealth(String status, Instant checkedAt, @Nullable Long latencyMs, @Nullable String error,
            @Nullable Instant unreachableSince) {

        public static DatabaseHealth up(Instant checkedAt, long latencyMs) {
            return new DatabaseHealth(UP, checkedAt, latencyMs, null, null);
        }

        public static DatabaseHealth down(Instant checkedAt, String error) {
            return new DatabaseHealth(DOWN, checkedAt, null, error, null);
        }

        public static DatabaseHealth unreachable(Instant since, String error) {
            return new DatabaseHealth(DOWN, Instant.now(), null, error, since);
        }
    }

    /** Up while the public port's listener accepts connections. */
    public record HttpHealth(String status, boolean accepting, long inFlight) {}

    static Health of(LifecycleState state, DatabaseHealth database, boolean accepting, long inFlight) {
        String status = switch (state) {
            case NEW, STARTING -> "starting";
            case RUNNING -> database.unreachableSince() == null ? "ready" : "database_down";
            case STOPPING -> "draining";
            case STOPPED -> "stopped";
            case FAILED -> "failed";
        };
        return new Health(status, state, inFlight, new Components(
                new LifecycleHealth(upWhen(state == LifecycleState.RUNNING), state),
                database,
                new HttpHealth(upWhen(accepting), accepting, inFlight)));
    }

    private static String upWhen(boolean up) {
        return up ? UP : DOWN;
    }

    /** Live unless the lifecycle failed: the process answers and is not broken. */
    public boolean live() {
        return state != LifecycleState.FAILED;
    }

    /** Ready while the lifecycle is {@code RUNNING} and the database is not known to be unreachable. */
    public boolean ready() {
        return state == LifecycleState.RUNNING && components.database().unreachableSince() == null;
    }
}
