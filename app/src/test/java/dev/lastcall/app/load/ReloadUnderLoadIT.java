package dev.lastcall.app.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9's proof for reloads: SIGHUP hot handovers of the real jar under 16 direct keep-alive
 * clients on a held socket, and no client notices: zero failures, the admin port answering
 * throughout, the sd_notify messages in systemd's order, every old process exiting 0, the ledger
 * invariants intact. {@code -Dlastcall.reloads} and {@code -Dlastcall.clients} scale it.
 */
class ReloadUnderLoadIT {

    private static final int RELOADS = Integer.getInteger("lastcall.reloads", 10);
    private static final int CLIENTS = Integer.getInteger("lastcall.clients", 16);

    @TempDir
    Path work;

    @Test
    void hotHandoversUnderLoadLoseNothingAndNobodyNotices() throws Exception {
        ReloadHarness.Result result = new ReloadHarness(work, RELOADS, CLIENTS).run();

        System.out.println(result.summary());
        assertThat(result.failures()).as("client-visible failures").isEmpty();
        assertThat(result.adminFailures()).as("admin probes that failed").isZero();
        assertThat(result.protocolViolations()).as("sd_notify order").isEmpty();
        assertThat(result.exitStatuses()).as("exit statuses of the old processes").hasSize(RELOADS).containsOnly(0);
        assertThat(result.ledger().acknowledged()).as("acknowledged transfers").isPositive();
        assertThat(result.ledger().violations()).as("ledger invariants (%s)", result.ledger().summary()).isEmpty();
        assertThat(result.eventsNotDelivered()).as("events never delivered to the webhook receiver").isZero();
    }
}
