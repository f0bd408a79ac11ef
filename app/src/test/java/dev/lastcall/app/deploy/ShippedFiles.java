package dev.lastcall.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The deployment files in the repository's config/ directory, read as their tools would read the parts tested here. */
final class ShippedFiles {

    private static final Pattern TIME = Pattern.compile("(\\d+)\\s*(ms|s|sec|min|m|h)?");

    private ShippedFiles() {}

    /** config/ of this checkout, found from the module directory the build runs in. */
    static Path configDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("config/lastcall.conf"))) {
                return dir.resolve("config");
            }
        }
        return fail("no config/lastcall.conf above %s", Path.of("").toAbsolutePath());
    }

    static Path systemd(String unit) {
        return configDir().resolve("systemd").resolve(unit);
    }

    static Path nginx() {
        return configDir().resolve("nginx/lastcall.conf");
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A unit file's assignments, continuation lines joined, {@code %i} replaced by {@code instance}. */
    record Unit(Map<String, List<String>> assignments) {

        static Unit read(String name, String instance) {
            Map<String, List<String>> assignments = new LinkedHashMap<>();
            String text = ShippedFiles.read(systemd(name)).replace("\\\n", " ").replace("%i", instance);
            for (String line : text.lines().map(String::strip).toList()) {
                int equals = line.indexOf('=');
                if (line.isEmpty() || line.startsWith("#") || line.startsWith("[") || equals < 0) {
                    continue;
                }
                assignments.computeIfAbsent(line.substring(0, equals), key -> new ArrayList<>()).add(line.substring(equals + 1));
            }
            return new Unit(assignments);
        }

        String one(String key) {
            List<String> values = assignments.getOrDefault(key, List.of());
            assertThat(values).as("%s= in the unit", key).hasSize(1);
            return values.getFirst();
        }

        /** The variables its {@code Environment=} lines set (no quoting is used in the shipped units). */
        Map<String, String> environment() {
            Map<String, String> environment = new LinkedHashMap<>();
            for (String line : assignments.getOrDefault("Environment", List.of())) {
                for (String assignment : line.strip().split("\\s+")) {
                    int equals = assignment.indexOf('=');
                    environment.put(assignment.substring(0, equals), assignment.substring(equals + 1));
                }
            }
            return environment;
        }
    }

    /** The argument of the first {@code directive} inside the block that starts with {@code blockStart}. */
    static String nginxDirective(String blockStart, String directive) {
        String text = read(nginx()).replaceAll("(?m)#.*$", "");
        int block = text.indexOf(blockStart);
        assertThat(block).as("'%s' in %s", blockStart, nginx()).isNotNegative();
        Matcher matcher = Pattern.compile("(?m)^\\s*" + Pattern.quote(directive) + "\\s+([^;]+);").matcher(text);
        assertThat(matcher.find(block)).as("%s in the block '%s' of %s", directive, blockStart, nginx()).isTrue();
        return matcher.group(1).strip();
    }

    /** A time as systemd or Nginx write it: a number with ms, s, m/min or h; seconds without a unit. */
    static Duration time(String text) {
        Matcher matcher = TIME.matcher(text.strip());
        assertThat(matcher.matches()).as("a simple time: '%s'", text).isTrue();
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s", "sec" -> Duration.ofSeconds(amount);
            case "m", "min" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException(unit);
        };
    }

    /** An Nginx size: bytes, or k/m/g (binary). */
    static long size(String text) {
        Matcher matcher = Pattern.compile("(\\d+)([kKmMgG])?").matcher(text.strip());
        assertThat(matcher.matches()).as("an Nginx size: '%s'", text).isTrue();
        long amount = Long.parseLong(matcher.group(1));
        return matcher.group(2) == null ? amount : switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> amount << 10;
            case "m" -> amount << 20;
            default -> amount << 30;
        };
    }
}
