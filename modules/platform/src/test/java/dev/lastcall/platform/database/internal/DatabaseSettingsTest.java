package dev.lastcall.platform.database.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.config.ConfigError;
import dev.lastcall.platform.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DatabaseSettingsTest {

    @Test
    void defaultsToTheEmbeddedServerUnderTheStateDirectory() {
        DatabaseSettings settings = load(Map.of("LASTCALL_STATE_DIR", "/srv/lastcall"));

        assertThat(settings.embedded()).isTrue();
        assertThat(settings.embeddedHome()).isEqualTo(Path.of("/srv/lastcall/postgres"));
        assertThat(settings.poolSize()).isEqualTo(10);
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void readsEveryKeyFromTheEnvironment() {
        DatabaseSettings settings = load(Map.of(
                "LASTCALL_DB_URL", "jdbc:postgresql://db.example/ledger",
                "LASTCALL_DB_USER", "ledger",
                "LASTCALL_DB_PASSWORD", "hunter2",
                "LASTCALL_DB_POOL_SIZE", "32",
                "LASTCALL_DB_CONNECT_TIMEOUT", "2s"));

        assertThat(settings).isEqualTo(new DatabaseSettings("jdbc:postgresql://db.example/ledger", "ledger", "hunter2",
                32, Duration.ofSeconds(2), Path.of("./var")));
        assertThat(settings.embedded()).isFalse();
    }

    @Test
    void rejectsAUrlOfAnotherDatabase() {
        assertThatThrownBy(() -> load(Map.of("LASTCALL_DB_URL", "jdbc:mysql://db/ledger")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("db.url:");
    }

    @Test
    void rejectsAConnectTimeoutBelowThePoolsFloor() {
        assertThatThrownBy(() -> load(Map.of("LASTCALL_DB_CONNECT_TIMEOUT", "100ms")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("db.connectTimeout: must be at least 250ms");
    }

    @Test
    void rejectsAnEmptyPool() {
        assertThatThrownBy(() -> load(Map.of("LASTCALL_DB_POOL_SIZE", "0")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("db.poolSize:");
    }

    @Test
    void transactionPoolingIsOffUnlessSaid() {
        assertThat(load(Map.of("LASTCALL_DB_URL", "jdbc:postgresql://db/ledger")).transactionPooling()).isFalse();
        assertThat(load(Map.of("LASTCALL_DB_URL", "jdbc:postgresql://pgbouncer:6432/ledger",
                "LASTCALL_DB_TRANSACTION_POOLING", "true")).transactionPooling()).isTrue();
    }

    @Test
    void rejectsTransactionPoolingForTheEmbeddedServer() {
        assertThatThrownBy(() -> load(Map.of("LASTCALL_DB_TRANSACTION_POOLING", "true")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("db.transactionPooling: needs db.url");
    }

    @Test
    void neverShowsThePassword() {
        DatabaseSettings settings = load(Map.of(
                "LASTCALL_DB_URL", "jdbc:postgresql://db/ledger?password=inurl",
                "LASTCALL_DB_PASSWORD", "hunter2"));

        assertThat(settings.toString()).doesNotContain("hunter2").doesNotContain("inurl");
    }

    private static DatabaseSettings load(Map<String, String> environment) {
        Settings settings = Settings.load(Optional.empty(), environment);
        return DatabaseSettings.from(settings);
    }
}
