package dev.lastcall.platform;

import dev.lastcall.platform.database.internal.DatabaseCheck;
import dev.lastcall.platform.http.internal.DatabaseProbe;
import dev.lastcall.platform.http.internal.Health;
import jakarta.inject.Inject;

/** The database's own check, told as health: here because neither of the two may see the other. */
final class DatabaseHealthProbe implements DatabaseProbe {

    private final DatabaseCheck check;

    @Inject
    DatabaseHealthProbe(DatabaseCheck check) {
        this.check = check;
    }

    @Override
    public Health.DatabaseHealth check() {
        DatabaseCheck.Result result = check.check();
        if (result.reachable()) {
            return Health.DatabaseHealth.up(result.checkedAt(), result.latency().toMillis());
        }
        return result.outage()
                ? Health.DatabaseHealth.unreachable(result.checkedAt(), result.problem())
                : Health.DatabaseHealth.down(result.checkedAt(), result.problem());
    }
}
