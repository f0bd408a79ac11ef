package dev.lastcall.platform.scheduling;

import dev.lastcall.platform.config.Settings;
import java.time.Duration;

/** The {@code workers.*} keys. */
public record SchedulerSettings(Duration stopTimeout) {

    public static SchedulerSettings from(Settings settings) {
        return new SchedulerSettings(settings.duration("workers.stopTimeout"));
    }
}
