package dev.lastcall.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import dev.lastcall.platform.http.internal.HttpSettings;
import dev.lastcall.platform.http.internal.TrustedProxies;
import dev.lastcall.platform.lifecycle.StopBudget;
import dev.lastcall.platform.process.ProcessSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    private static final Map<String, String> NO_ENVIRONMENT = Map.of();
    /** A list key takes its values comma-separated from the environment. */
    private static final String TWO_VALUES = "first-value-0123456789, second-value-0123456789";

    @TempDir
    Path dir;

    @Test
    void redactedShowsEveryKeyAsWrittenWithSecretsHidden() {
        Settings settings = Settings.load(Optional.empty(), Map.of(
                "LASTCALL_DB_URL", "jdbc:postgresql://app:url-secret@db.example/ledger",
                "LASTCALL_DB_PASSWORD", "db-secret",
                "LASTCALL_ADMIN_TOKENS", TWO_VALUES));

        Map<String, Object> shown = settings.redacted();

        assertThat(shown.keySet()).contains("http.host", "db.url", "db.password", "api.tokens", "admin.tokens", "log.level");
        assertThat(shown.get("http.idleTimeout")).isEqualTo("30s");
        assertThat(shown.get("db.poolSize")).isEqualTo(10);
        assertThat(shown.get("webhooks.allowPrivateNetworks")).isEqualTo(false);
        assertThat(shown.get("db.url")).isEqualTo("jdbc:postgresql://app:***@db.example/ledger");
        assertThat(shown.get("db.password")).isEqualTo("***");
        assertThat(shown.get("admin.tokens")).isEqualTo(List.of("***", "***"));
        assertThat(shown.get("api.tokens")).isEqualTo(List.of());
        assertThat(shown.get("db.user")).isEqualTo("");
        assertThat(shown.toString()).doesNotContain("secret", "first-value", "second-value");
    }

    @Test
    void anEmptyPasswordShowsAsEmpty() {
        assertThat(Settings.load(Optional.empty(), NO_ENVIRONMENT).redacted().get("db.password")).isEqualTo("");
    }

    @Test
    void shippedDefaultsLoadWithTheDocumentedValues() {
        Settings settings = Settings.load(Optional.empty(), NO_ENVIRONMENT);

        HttpSettings http = HttpSettings.from(settings);
        ProcessSettings process = ProcessSettings.from(settings);

        assertThat(http).isEqualTo(new HttpSettings("127.0.0.1", 8080, Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(2), 1024 * 1024, true,
                TrustedProxies.NONE, "127.0.0.1", 8081));
        assertThat(process).isEqualTo(new ProcessSettings("INFO", ProcessSettings.LogFormat.TEXT));
        assertThat(StopBudget.from(settings)).isEqualTo(new StopBudget(Duration.ofSeconds(30), Duration.ZERO,
                Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofSeconds(5)));
        assertThat(settings.path("state.dir")).isEqualTo(Path.of("./var"));
    }

    @Test
    void everyShippedKeyIsReadableAndComesFromTheShippedFile() {
        Settings settings = Settings.load(Optional.empty(), NO_ENVIRONMENT);

        Config shipped = ConfigFactory.parseResources(Settings.DEFAULTS_RESOURCE);
        for (String key : shippedKeys()) {
            if (shipped.getValue(key).valueType() == ConfigValueType.LIST) {
                assertThat(settings.strings(key)).as(key).isEqualTo(shipped.getStringList(key));
            } else {
                assertThat(settings.string(key)).as(key).isEqualTo(shipped.getString(key));
            }
            assertThat(settings.origin(key)).as(key).contains(Settings.DEFAULTS_RESOURCE);
        }
    }

    @Test
    void everyShippedKeyCanBeSetThroughItsEnvironmentVariable() {
        Config shipped = ConfigFactory.parseResources(Settings.DEFAULTS_RESOURCE);
        for (String key : shippedKeys()) {
            String name = EnvironmentNames.of(key);
            if (shipped.getValue(key).valueType() == ConfigValueType.LIST) {
                Settings settings = Settings.load(Optional.empty(), Map.of(name, TWO_VALUES));

                assertThat(settings.strings(key)).as(key).containsExactly("first-value-0123456789", "second-value-0123456789");
            } else {
                Settings settings = Settings.load(Optional.empty(), Map.of(name, shipped.getString(key)));

                assertThat(settings.string(key)).as(key).isEqualTo(shipped.getString(key));
                assertThat(settings.origin(key)).as(key).isEqualTo("environment variable " + name);
            }
        }
    }

    @Test
    void everyShippedKeyIsDocumentedByACommentAboveIt() throws IOException {
        List<String> lines = shippedLines();
        for (int i = 0; i < lines.size(); i++) {
            if (isKeyLine(lines.get(i))) {
                // Related keys may share one comment: look above the run of key lines.
                int above = i - 1;
                while (above >= 0 && isKeyLine(lines.get(above))) {
                    above--;
                }
                assertThat(above >= 0 ? lines.get(above).strip() : "").as("the comment above '%s'", lines.get(i).strip())
                        .startsWith("#");
            }
        }
    }

    @Test
    void aFileOverridesTheDefaults() throws IOException {
        Path file = write("override.conf", """
                http.port = 9090
                http {
                  drainDelay = 3s
                }
                """);

        Settings settings = Settings.load(Optional.of(file), NO_ENVIRONMENT);

        assertThat(settings.port("http.port")).isEqualTo(9090);
        assertThat(settings.duration("http.drainDelay")).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.origin("http.port")).contains(file.toString());
        assertThat(settings.string("http.host")).isEqualTo("127.0.0.1");
    }

    @Test
    void theEnvironmentOverridesTheFile() throws IOException {
        Path file = write("override.conf", "http.port = 9090\nhttp.drainDelay = 3s\n");

        Settings settings = Settings.load(Optional.of(file), Map.of(
                "LASTCALL_HTTP_PORT", "9191",
                "PATH", "/usr/bin",
                "LASTCALLX", "not ours"));

        assertThat(settings.port("http.port")).isEqualTo(9191);
        assertThat(settings.origin("http.port")).isEqualTo("environment variable LASTCALL_HTTP_PORT");
        assertThat(settings.duration("http.drainDelay")).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void anUnknownKeyInTheFileFailsNamingTheKeyTheFileAndTheLine() throws IOException {
        Path file = write("typo.conf", """
                http.port = 9090
                http.drainDelai = 3s
                """);

        assertThatThrownBy(() -> Settings.load(Optional.of(file), NO_ENVIRONMENT))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("http.drainDelai")
                .hasMessageContaining("unknown")
                .hasMessageContaining(file.toString() + ": 2");
    }

    @Test
    void anUnknownLastcallVariableFailsNamingIt() {
        assertThatThrownBy(() -> Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_DRAIN_DELAI", "3s")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("LASTCALL_HTTP_DRAIN_DELAI")
                .hasMessageContaining("unknown");
    }

    @Test
    void aBadDurationInTheFileFailsNamingTheKeyAndItsLine() throws IOException {
        Path file = write("bad.conf", "\n\nhttp.drainDelay = soon\n");
        Settings settings = Settings.load(Optional.of(file), NO_ENVIRONMENT);

        assertThatThrownBy(() -> StopBudget.from(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("http.drainDelay: ")
                .hasMessageContaining(file.toString() + ": 3");
    }

    @Test
    void aBadDurationInTheEnvironmentFailsInOneLineNamingTheKeyOnce() {
        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_STOP_TIMEOUT", "soon"));

        assertThatThrownBy(() -> StopBudget.from(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessage("http.stopTimeout: No number in duration value 'soon' (from environment variable LASTCALL_HTTP_STOP_TIMEOUT)");
    }

    @Test
    void aDurationWithoutItsUnitFailsNamingTheKeyInsteadOfMeaningMilliseconds() throws IOException {
        Settings fromEnvironment = Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_STOP_TIMEOUT", "20"));
        Path file = write("bare.conf", "\nhttp.drainDelay = 6\n");
        Settings fromFile = Settings.load(Optional.of(file), NO_ENVIRONMENT);

        assertThatThrownBy(() -> StopBudget.from(fromEnvironment))
                .isInstanceOf(ConfigError.class)
                .hasMessage("http.stopTimeout: needs a unit (500ms, 30s, 2m), got 20 (from environment variable LASTCALL_HTTP_STOP_TIMEOUT)");
        assertThatThrownBy(() -> StopBudget.from(fromFile))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("http.drainDelay: needs a unit (500ms, 30s, 2m), got 6")
                .hasMessageContaining(file.toString() + ": 2");
        assertThat(StopBudget.from(Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_DRAIN_DELAY", "0"))).drainDelay())
                .as("0 needs no unit").isZero();
    }

    @Test
    void aWarmUpThatWouldNotLeaveAReloadsSuccessorTheTimeToStartFailsNamingTheKey() {
        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_WARM_UP", "61s"));

        assertThatThrownBy(() -> HttpSettings.from(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("http.warmUp: ")
                .hasMessageContaining("at most 60s")
                .hasMessageContaining("environment variable LASTCALL_HTTP_WARM_UP");
        assertThat(HttpSettings.from(Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_WARM_UP", "60s"))).warmUp())
                .isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aNegativeDurationFailsNamingTheKey() {
        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_STOP_TIMEOUT", "-5s"));

        assertThatThrownBy(() -> StopBudget.from(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("http.stopTimeout: ")
                .hasMessageContaining("negative")
                .hasMessageContaining("environment variable LASTCALL_HTTP_STOP_TIMEOUT");
    }

    @Test
    void logFormatJsonIsReadAndAnythingElseFailsNamingTheKeyAndTheVariable() {
        assertThat(ProcessSettings.from(Settings.load(Optional.empty(), Map.of("LASTCALL_LOG_FORMAT", "json"))).logFormat())
                .isEqualTo(ProcessSettings.LogFormat.JSON);

        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_LOG_FORMAT", "yaml"));
        assertThatThrownBy(() -> ProcessSettings.from(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("log.format: ")
                .hasMessageContaining("text, json")
                .hasMessageContaining("environment variable LASTCALL_LOG_FORMAT");
    }

    @Test
    void aTrustedProxyThatIsNoAddressOrRangeFailsNamingTheKeyTheEntryAndTheFile() throws IOException {
        Path file = write("proxies.conf", "http.trustedProxies = [\"10.0.0.0/8\", \"proxy.example\"]\n");
        Settings settings = Settings.load(Optional.of(file), NO_ENVIRONMENT);

        assertThatThrownBy(() -> HttpSettings.from(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("http.trustedProxies: ")
                .hasMessageContaining("'proxy.example'")
                .hasMessageContaining(file.toString() + ": 1");
    }

    @Test
    void trustedProxiesTakeAddressesAndRangesFromTheEnvironment() {
        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8, fd00::/8"));

        assertThat(HttpSettings.from(settings).trustedProxies().ranges()).hasSize(3);
    }

    @Test
    void aZeroIdleTimeoutFailsNamingTheKey() {
        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_IDLE_TIMEOUT", "0s"));

        assertThatThrownBy(() -> HttpSettings.from(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("http.idleTimeout: ");
    }

    @Test
    void aPortOutOfRangeFailsNamingTheKeyAndTheVariable() {
        Settings settings = Settings.load(Optional.empty(), Map.of("LASTCALL_ADMIN_PORT", "70000"));

        assertThatThrownBy(() -> HttpSettings.from(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("admin.port: ")
                .hasMessageContaining("70000")
                .hasMessageContaining("environment variable LASTCALL_ADMIN_PORT");
    }

    @Test
    void aPortOutOfRangeInTheFileFailsNamingTheFileAndLine() throws IOException {
        Path file = write("port.conf", "http.port = -1\n");
        Settings settings = Settings.load(Optional.of(file), NO_ENVIRONMENT);

        assertThatThrownBy(() -> HttpSettings.from(settings))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("http.port: ")
                .hasMessageContaining(file.toString() + ": 1");
    }

    @Test
    void aValueOfTheWrongTypeFailsNamingTheKeyAndItsOrigin() throws IOException {
        Path file = write("type.conf", "http.port = eighty\n");
        Settings fromFile = Settings.load(Optional.of(file), NO_ENVIRONMENT);
        Settings fromEnvironment = Settings.load(Optional.empty(), Map.of("LASTCALL_HTTP_MAX_REQUEST_BODY", "big"));

        assertThatThrownBy(() -> HttpSettings.from(fromFile))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("http.port: ")
                .hasMessageContaining(file.toString() + ": 1");
        assertThatThrownBy(() -> HttpSettings.from(fromEnvironment))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("http.maxRequestBody: ")
                .hasMessageContaining("environment variable LASTCALL_HTTP_MAX_REQUEST_BODY");
    }

    @Test
    void anObjectWhereAValueBelongsFailsNamingTheKey() throws IOException {
        Path file = write("object.conf", "http.port { value = 1 }\n");

        assertThatThrownBy(() -> HttpSettings.from(Settings.load(Optional.of(file), NO_ENVIRONMENT)))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("http.port");
    }

    @Test
    void aMissingConfigFileFailsNamingIt() {
        Path missing = dir.resolve("nowhere.conf");

        assertThatThrownBy(() -> Settings.load(Optional.of(missing), NO_ENVIRONMENT))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("--config")
                .hasMessageContaining(missing.toString());
    }

    @Test
    void aDirectoryAsConfigFileFailsNamingIt() {
        assertThatThrownBy(() -> Settings.load(Optional.of(dir), NO_ENVIRONMENT))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("--config")
                .hasMessageContaining(dir.toString());
    }

    @Test
    void aConfigFileThatDoesNotParseFailsNamingIt() throws IOException {
        Path file = write("broken.conf", "http {\n  port = 1\n");

        assertThatThrownBy(() -> Settings.load(Optional.of(file), NO_ENVIRONMENT))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining(file.toString());
    }

    private static boolean isKeyLine(String line) {
        return line.strip().matches("[A-Za-z][A-Za-z0-9]* *=.*");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static List<String> shippedKeys() {
        return ConfigFactory.parseResources(Settings.DEFAULTS_RESOURCE).entrySet().stream()
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    private static List<String> shippedLines() throws IOException {
        try (InputStream in = SettingsTest.class.getClassLoader().getResourceAsStream(Settings.DEFAULTS_RESOURCE)) {
            assertThat(in).as(Settings.DEFAULTS_RESOURCE + " on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
