package dev.lastcall.platform.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EnvironmentNamesTest {

    @ParameterizedTest
    @CsvSource({
        "http.host,            LASTCALL_HTTP_HOST",
        "http.port,            LASTCALL_HTTP_PORT",
        "admin.host,           LASTCALL_ADMIN_HOST",
        "admin.port,           LASTCALL_ADMIN_PORT",
        "http.drainDelay,      LASTCALL_HTTP_DRAIN_DELAY",
        "http.stopTimeout,     LASTCALL_HTTP_STOP_TIMEOUT",
        "http.idleTimeout,     LASTCALL_HTTP_IDLE_TIMEOUT",
        "http.maxRequestBody,  LASTCALL_HTTP_MAX_REQUEST_BODY",
        "shutdown.timeout,     LASTCALL_SHUTDOWN_TIMEOUT",
        "state.dir,            LASTCALL_STATE_DIR",
        "db.poolSize,          LASTCALL_DB_POOL_SIZE",
        "db.jdbcURL,           LASTCALL_DB_JDBC_URL",
        "http.http2Enabled,    LASTCALL_HTTP_HTTP2_ENABLED",
    })
    void namesAKeyByTheOneRule(String key, String expected) {
        assertThat(EnvironmentNames.of(key)).isEqualTo(expected);
    }

    @Test
    void everyShippedKeyHasItsOwnName() {
        List<String> keys = ConfigFactory.parseResources(Settings.DEFAULTS_RESOURCE).entrySet().stream()
                .map(Map.Entry::getKey)
                .toList();

        Set<String> names = keys.stream().map(EnvironmentNames::of).collect(Collectors.toSet());

        assertThat(keys).isNotEmpty();
        assertThat(names).hasSameSizeAs(keys).allSatisfy(name -> assertThat(name).matches("LASTCALL_[A-Z0-9_]+"));
    }
}
