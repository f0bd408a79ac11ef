package dev.lastcall.platform.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The merged, immutable configuration: shipped defaults, then an optional file, then environment
 * variables. Every read is typed and validated; a bad value throws a {@link ConfigError} naming the
 * key and its origin (file and line, or environment variable).
 */
public final class Settings {

    /** The defaults inside the jar; the same file is {@code config/lastcall.conf} in the repository. */
    public static final String DEFAULTS_RESOURCE = "lastcall.conf";

    /** A duration written without its unit, which Typesafe Config would take as milliseconds. */
    private static final Pattern BARE_NUMBER = Pattern.compile("[+-]?[0-9.eE+-]+");

    private final Config config;

    private Settings(Config config) {
        this.config = config;
    }

    /** Loads defaults, then {@code file} if given, then matching {@code LASTCALL_*} variables. */
    public static Settings load(Optional<Path> file, Map<String, String> environment) {
        Config defaults = ConfigFactory.parseResources(Settings.class.getClassLoader(), DEFAULTS_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false));
        Set<String> keys = defaults.entrySet().stream().map(Map.Entry::getKey).collect(
                Collectors.toCollection(TreeSet::new));
        Config merged = defaults;
        if (file.isPresent()) {
            Config fromFile = parseFile(file.get());
            rejectUnknownKeys(fromFile, keys);
            merged = fromFile.withFallback(merged);
        }
        merged = fromEnvironment(environment, keys, defaults).withFallback(merged);
        try {
            return new Settings(merged.resolve());
        } catch (ConfigException e) {
            throw new ConfigError(e.getMessage());
        }
    }

    private static Config parseFile(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigError("--config %s: not a readable file".formatted(file));
        }
        try {
            return ConfigFactory.parseFile(file.toFile(),
                    ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw new ConfigError("--config %s: %s".formatted(file, e.getMessage()));
        }
    }

    private static void rejectUnknownKeys(Config fromFile, Set<String> keys) {
        for (Map.Entry<String, ConfigValue> entry : fromFile.entrySet()) {
            if (!keys.contains(entry.getKey())) {
                throw new ConfigError(entry.getKey(), entry.getValue().origin().description(),
                        "unknown key; the keys are listed in config/lastcall.conf");
            }
        }
    }

    private static Config fromEnvironment(Map<String, String> environment, Set<String> keys, Config defaults) {
        Map<String, String> byName = new HashMap<>();
        for (String key : keys) {
            byName.put(EnvironmentNames.of(key), key);
        }
        Config result = ConfigFactory.empty();
        for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
            String name = variable.getKey();
            if (!name.startsWith(EnvironmentNames.PREFIX)) {
                continue;
            }
            String key = byName.get(name);
            if (key == null) {
                throw new ConfigError(name, "environment variable " + name,
                        "unknown setting; the keys are listed in config/lastcall.conf");
            }
            Object value = defaults.getValue(key).valueType() == ConfigValueType.LIST
                    ? splitList(variable.getValue())
                    : variable.getValue();
            result = ConfigFactory.parseMap(Map.of(key, value), "environment variable " + name).withFallback(result);
        }
        return result;
    }

    private static List<String> splitList(String value) {
        return value.isBlank() ? List.of() : Arrays.stream(value.split(",")).map(String::strip).toList();
    }

    /**
     * Every key with its effective value as written (durations and sizes with their units), for
     * showing: a secret ({@link Redaction#secretKey}) as {@code ***} when set, each of a list's
     * entries likewise, and a password inside any value's URL hidden.
     */
    public SortedMap<String, Object> redacted() {
        SortedMap<String, Object> shown = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> entry : config.entrySet()) {
            shown.put(entry.getKey(), redacted(entry.getKey(), entry.getValue().unwrapped()));
        }
        return shown;
    }

    private static Object redacted(String key, Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(item -> redacted(key, item)).toList();
        }
        if (!(value instanceof String text)) {
            return value;
        }
        if (Redaction.secretKey(key)) {
            return text.isEmpty() ? text : Redaction.HIDDEN;
        }
        return Redaction.withoutPassword(text);
    }

    public String string(String key) {
        return read(key, () -> config.getString(key));
    }

    public boolean bool(String key) {
        return read(key, () -> config.getBoolean(key));
    }

    public List<String> strings(String key) {
        return read(key, () -> List.copyOf(config.getStringList(key)));
    }

    public int intBetween(String key, int min, int max) {
        int value = read(key, () -> config.getInt(key));
        if (value < min || value > max) {
            throw invalid(key, "must be between %d and %d, got %d".formatted(min, max, value));
        }
        return value;
    }

    public int port(String key) {
        return intBetween(key, 0, 65_535);
    }

    public Duration duration(String key) {
        Duration value = read(key, () -> config.getDuration(key));
        String written = read(key, () -> String.valueOf(config.getValue(key).unwrapped())).strip();
        if (!value.isZero() && BARE_NUMBER.matcher(written).matches()) {
            throw invalid(key, "needs a unit (500ms, 30s, 2m), got " + written);
        }
        if (value.isNegative()) {
            throw invalid(key, "must not be negative, got " + config.getValue(key).unwrapped());
        }
        return value;
    }

    /** A duration that must be more than zero. */
    public Duration positiveDuration(String key) {
        Duration value = duration(key);
        if (value.isZero()) {
            throw invalid(key, "must be more than 0");
        }
        return value;
    }

    public long bytes(String key) {
        long value = read(key, () -> config.getBytes(key));
        if (value <= 0) {
            throw invalid(key, "must be more than 0 bytes");
        }
        return value;
    }

    public Path path(String key) {
        String value = string(key);
        if (value.isBlank()) {
            throw invalid(key, "must not be empty");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw invalid(key, "not a valid path: " + e.getMessage());
        }
    }

    /** A value that passed the type check but breaks a rule only the caller knows. */
    public ConfigError invalid(String key, String problem) {
        return new ConfigError(key, origin(key), problem);
    }

    public String origin(String key) {
        return config.hasPath(key) ? config.getValue(key).origin().description() : "no value";
    }

    private <T> T read(String key, Supplier<T> reader) {
        try {
            return reader.get();
        } catch (ConfigException.Missing e) {
            throw new ConfigError(key, "no value", "missing");
        } catch (ConfigException e) {
            throw new ConfigError(key, origin(key), problemOnly(key, e));
        }
    }

    /** Typesafe Config's message without what ConfigError says anyway: where the value came from and its key. */
    private static String problemOnly(String key, ConfigException e) {
        String message = String.valueOf(e.getMessage());
        String origin = e.origin() == null ? "" : e.origin().description() + ": ";
        message = message.startsWith(origin) ? message.substring(origin.length()) : message;
        String path = "Invalid value at '" + key + "': ";
        return message.startsWith(path) ? message.substring(path.length()) : message;
    }
}
