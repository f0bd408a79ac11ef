package dev.lastcall.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.app.deploy.ShippedFiles.Unit;
import dev.lastcall.platform.config.ConfigError;
import dev.lastcall.platform.config.Settings;
import dev.lastcall.platform.http.internal.HttpSettings;
import dev.lastcall.platform.lifecycle.StopBudget;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The timeouts of the shipped Nginx site, systemd units and defaults, which only work together:
 * Nginx's upstream keepalive_timeout < http.drainDelay and < http.idleTimeout; http.drainDelay +
 * http.stopTimeout < shutdown.timeout < TimeoutStopSec. Each service unit is read with the
 * settings it gives the service (config/lastcall.conf under its Environment= lines).
 */
class ShippedTimeoutsTest {

    private static final String INSTANCE = "8081";
    /** Room after shutdown.timeout for the report, the halt and the JVM's exit before systemd's SIGKILL. */
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(5);

    private static Duration nginxKeepalive() {
        return ShippedFiles.time(ShippedFiles.nginxDirective("upstream lastcall", "keepalive_timeout"));
    }

    private static Settings settingsOf(Unit unit) {
        return Settings.load(Optional.empty(), unit.environment());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lastcall.service", "lastcall@.service"})
    void nginxRetiresIdleUpstreamConnectionsBeforeTheListenerCloses(String name) {
        StopBudget budget = StopBudget.from(settingsOf(Unit.read(name, INSTANCE)));

        assertThat(nginxKeepalive()).as("Nginx upstream keepalive_timeout vs %s's http.drainDelay", name)
                .isLessThan(budget.drainDelay());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lastcall.service", "lastcall@.service"})
    void nginxClosesIdleConnectionsBeforeLastcallDoes(String name) {
        HttpSettings http = HttpSettings.from(settingsOf(Unit.read(name, INSTANCE)));

        assertThat(nginxKeepalive()).as("Nginx upstream keepalive_timeout vs http.idleTimeout").isLessThan(http.idleTimeout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lastcall.service", "lastcall@.service"})
    void theDrainFitsTheShutdownBudgetAndTheBudgetFitsSystemdsStopTimeout(String name) {
        Unit unit = Unit.read(name, INSTANCE);
        Settings settings = settingsOf(unit);
        StopBudget budget = StopBudget.from(settings);
        Duration timeoutStopSec = ShippedFiles.time(unit.one("TimeoutStopSec"));

        assertThat(budget.drainDelay().plus(budget.httpDrain())).as("http.drainDelay + http.stopTimeout vs shutdown.timeout")
                .isLessThan(budget.total());
        assertThat(budget.total().plus(EXIT_MARGIN)).as("shutdown.timeout (and time to exit) vs TimeoutStopSec of %s", name)
                .isLessThanOrEqualTo(timeoutStopSec);
        assertThat(unit.one("KillMode")).as("SIGTERM to the JVM only, which owns the stop").isEqualTo("mixed");
    }

    @Test
    void nginxWaitsForAnAnswerLongerThanAStoppingInstanceMayTake() {
        StopBudget budget = StopBudget.from(settingsOf(Unit.read("lastcall.service", INSTANCE)));
        Duration readTimeout = ShippedFiles.time(ShippedFiles.nginxDirective("location /", "proxy_read_timeout"));

        assertThat(readTimeout).as("proxy_read_timeout vs http.stopTimeout").isGreaterThan(budget.httpDrain());
    }

    @Test
    void nginxAcceptsTheBodiesLastcallAccepts() {
        HttpSettings http = HttpSettings.from(settingsOf(Unit.read("lastcall.service", INSTANCE)));

        assertThat(ShippedFiles.size(ShippedFiles.nginxDirective("server {", "client_max_body_size")))
                .as("client_max_body_size vs http.maxRequestBody").isEqualTo(http.maxRequestBody());
    }

    @Test
    void theSocketListensWhereNginxSendsAndTheServiceWouldBind() {
        Unit socket = Unit.read("lastcall.socket", "");
        HttpSettings http = HttpSettings.from(settingsOf(Unit.read("lastcall.service", INSTANCE)));

        assertThat(socket.one("ListenStream")).isEqualTo(http.host() + ":" + http.port());
        assertThat(socket.one("Accept")).isEqualTo("no");
        assertThat(ShippedFiles.nginxDirective("upstream lastcall", "server").split("\\s+")[0]).isEqualTo(socket.one("ListenStream"));
    }

    @Test
    void aTemplateInstanceListensOnItsNameAndAdminsOnOneInFront() {
        HttpSettings http = HttpSettings.from(settingsOf(Unit.read("lastcall@.service", "8082")));

        assertThat(http.port()).isEqualTo(8082);
        assertThat(http.adminPort()).isEqualTo(18082);
        assertThatThrownBy(() -> HttpSettings.from(settingsOf(Unit.read("lastcall@.service", "65000"))))
                .as("a five-digit instance makes an admin port out of range: a configuration error, exit 2")
                .isInstanceOf(ConfigError.class).hasMessageContaining("admin.port");
    }
}
