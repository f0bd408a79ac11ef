package dev.lastcall.platform.lifecycle;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Everything a stop did, in the order it did it, and every error it collected. */
public record StopReport(List<ComponentStop> components, List<Throwable> errors, Duration took) {

    public StopReport {
        components = List.copyOf(components);
        errors = List.copyOf(errors);
    }

    public static StopReport nothingStarted() {
        return new StopReport(List.of(), List.of(), Duration.ZERO);
    }

    public boolean complete() {
        return errors.isEmpty() && components.stream().allMatch(ComponentStop::complete);
    }

    /** One line: per-component durations and what each drained or cut. */
    public String summary() {
        String parts = components.stream()
                .map(c -> "%s %s %s%s".formatted(
                        c.name(),
                        seconds(c.took()),
                        c.outcome().name().toLowerCase(java.util.Locale.ROOT),
                        c.summary().isEmpty() ? "" : " (" + c.summary() + ")"))
                .collect(Collectors.joining("; "));
        return "stopped in %s: %s".formatted(seconds(took), parts.isEmpty() ? "nothing was running" : parts);
    }

    /**
     * The summary as fields, in its order: {@code stoppedInSeconds}, then per component
     * {@code <name>.seconds}, {@code <name>.outcome} and {@code <name>.summary}.
     */
    public Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("stoppedInSeconds", number(took));
        for (ComponentStop c : components) {
            fields.put(c.name() + ".seconds", number(c.took()));
            fields.put(c.name() + ".outcome", c.outcome().name().toLowerCase(Locale.ROOT));
            fields.put(c.name() + ".summary", c.summary());
        }
        return fields;
    }

    private static String number(Duration duration) {
        return String.format(Locale.ROOT, "%.3f", duration.toNanos() / 1e9);
    }

    private static String seconds(Duration duration) {
        return Seconds.of(duration);
    }
}
