package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.config.Settings;
import java.time.Duration;

/**
 * The keys of {@link Admission}: how many {@code /v1} requests run at once, how many may wait for
 * a turn, and how long one waits before it is refused.
 *
 * @param maxActive {@code http.maxActiveRequests}
 * @param maxQueued {@code http.maxQueuedRequests}; 0 refuses at once whatever finds no free turn
 * @param queueTimeout {@code http.queueTimeout}
 */
public record AdmissionSettings(int maxActive, int maxQueued, Duration queueTimeout) {

    static final int LARGEST = 100_000;

    public static AdmissionSettings from(Settings settings) {
        return new AdmissionSettings(
                settings.intBetween("http.maxActiveRequests", 1, LARGEST),
                settings.intBetween("http.maxQueuedRequests", 0, LARGEST),
                settings.duration("http.queueTimeout"));
    }
}
