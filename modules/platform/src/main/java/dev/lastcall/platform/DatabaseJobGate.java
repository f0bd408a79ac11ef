package dev.lastcall.platform;

import dev.lastcall.platform.database.DatabaseUnavailable;
import dev.lastcall.platform.database.internal.DatabaseAvailability;
import dev.lastcall.platform.scheduling.internal.JobGate;
import jakarta.inject.Inject;

/** Jobs run while the database is reachable: here because neither of the two may see the other. */
final class DatabaseJobGate implements JobGate {

    private final DatabaseAvailability availability;

    @Inject
    DatabaseJobGate(DatabaseAvailability availability) {
        this.availability = availability;
    }

    @Override
    public boolean open() {
        return availability.available();
    }

    @Override
    public boolean explains(Exception failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DatabaseUnavailable) {
                return true;
            }
        }
        return !open();
    }
}
