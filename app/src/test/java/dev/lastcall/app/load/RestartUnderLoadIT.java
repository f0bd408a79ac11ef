package dev.lastcall.app.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The headline promise: restart the service under load, behind a real Nginx or with clients
 * connected directly to the socket systemd holds, and no client notices.
 * Zero client-visible failures, every acknowledged transfer present exactly once and whole, every
 * currency summing to zero, every event delivered. {@code -Dlastcall.restarts} and {@code -Dlastcall.clients}
 * scale it.
 */
class RestartUnderLoadIT {

    private static final int RESTARTS = Integer.getInteger("lastcall.restarts", 10);
    private static final int CLIENTS = Integer.getInteger("lastcall.clients", 16);

    @TempDir
    Path work;

    @Test
    void twoInstancesBehindNginxRestartedOneAfterTheOtherLoseNothing() throws Exception {
        RestartHarness.Result result = new RestartHarness(work, Path.of(".."), RESTARTS, CLIENTS).twoInstancesBehindNginx();

        System.out.println(result.summary());
        assertInvariants(result);
    }

    @Test
    void oneInstanceOnAHeldSocketBehindNginxRestartedLosesNothing() throws Exception {
        RestartHarness.Result result = new RestartHarness(work, Path.of(".."), RESTARTS, CLIENTS).heldSocketBehindNginx();

        System.out.println(result.summary());
        assertInvariants(result);
    }

    @Test
    void oneInstanceOnAHeldSocketWithDirectClientsAndNoDrainDelayRestartedLosesNothing() throws Exception {
        RestartHarness.Result result = new RestartHarness(work, Path.of(".."), RESTARTS, CLIENTS).heldSocketDirectNoDrainDelay();

        System.out.println(result.summary());
        assertInvariants(result);
    }

    static void assertInvariants(RestartHarness.Result result) {
        assertThat(result.failures()).as("client-visible failures").isEmpty();
        assertThat(result.exitStatuses()).as("exit statuses of the stopped processes").containsOnly(0);
        assertThat(result.ledger().acknowledged()).as("acknowledged transfers").isPositive();
        assertThat(result.ledger().violations()).as("ledger invariants (%s)", result.ledger().summary()).isEmpty();
        assertThat(result.eventsNotDelivered()).as("events never delivered to the webhook receiver").isZero();
    }
}
