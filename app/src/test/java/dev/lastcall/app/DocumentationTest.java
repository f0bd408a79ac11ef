package dev.lastcall.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.lastcall.platform.config.EnvironmentNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keeps the README true: every configuration key and exit status is documented. */
class DocumentationTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void everyConfigurationKeyIsInTheReadmeTableWithItsEnvironmentName() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        ConfigFactory.parseFile(ROOT.resolve("config/lastcall.conf").toFile()).entrySet().stream()
                .map(Map.Entry::getKey)
                .forEach(key -> assertThat(readme)
                        .as("README row for %s", key)
                        .contains("| `%s` | `%s` |".formatted(key, EnvironmentNames.of(key))));
    }

    @Test
    void everyExitStatusIsInTheReadme() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (var status : dev.lastcall.platform.lifecycle.ExitStatus.values()) {
            assertThat(readme).as("README row for exit status %s", status).contains("| " + status.code() + " |");
        }
    }
}
