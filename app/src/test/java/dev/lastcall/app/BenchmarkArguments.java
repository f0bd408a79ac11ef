package dev.lastcall.app;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A benchmark's positional arguments, each optional: a bad one prints the usage and exits 2, as
 * the launcher does for a bad command.
 */
public final class BenchmarkArguments {

    private final String usage;
    private final List<String> values;

    public BenchmarkArguments(String usage, String[] args, int maximum) {
        this.usage = usage;
        this.values = List.of(args);
        if (args.length > maximum) {
            fail("too many arguments");
        }
    }

    public int positive(int index, String name, int absent) {
        if (index >= values.size()) {
            return absent;
        }
        try {
            int value = Integer.parseInt(values.get(index));
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below, with the usage
        }
        throw fail(name + " must be a positive whole number, not '" + values.get(index) + "'");
    }

    /** A duration such as {@code 90s} or {@code 10m}; a bare number is seconds. */
    public Duration duration(int index, String name, Duration absent) {
        if (index >= values.size()) {
            return absent;
        }
        String text = values.get(index);
        try {
            Duration value = ConfigFactory.empty()
                    .withValue("d", ConfigValueFactory.fromAnyRef(text.matches("\\d+") ? text + "s" : text))
                    .getDuration("d");
            if (!value.isNegative()) {
                return value;
            }
        } catch (ConfigException e) {
            // reported below, with the usage
        }
        throw fail(name + " must be a duration such as 90s or 10m, not '" + text + "'");
    }

    public String oneOf(int index, String name, Set<String> allowed, String absent) {
        if (index >= values.size()) {
            return absent;
        }
        String value = values.get(index);
        if (allowed.contains(value)) {
            return value;
        }
        throw fail(name + " must be one of " + String.join(", ", allowed.stream().sorted().toList()) + ", not '" + value + "'");
    }

    public List<String> from(int index) {
        return index >= values.size() ? List.of() : values.subList(index, values.size());
    }

    private IllegalStateException fail(String problem) {
        System.err.println(problem);
        System.err.println("usage: " + usage);
        System.exit(2);
        return new IllegalStateException(problem);
    }
}
