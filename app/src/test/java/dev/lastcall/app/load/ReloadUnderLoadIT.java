package dev.lastcall.app.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
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
        if (!result.failures().isEmpty()) {
            printWarningsOfTheServiceLogs();
        }
        // every check reported, so that one failed run shows all it can of what went wrong
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(result.failures()).as("client-visible failures:%s", result.failureTimeline()).isEmpty();
            softly.assertThat(result.adminFailures()).as("admin probes that failed").isZero();
            softly.assertThat(result.protocolViolations()).as("sd_notify order").isEmpty();
            softly.assertThat(result.exitStatuses()).as("exit statuses of the old processes").hasSize(RELOADS).containsOnly(0);
            softly.assertThat(result.ledger().acknowledged()).as("acknowledged transfers").isPositive();
            softly.assertThat(result.ledger().violations()).as("ledger invariants (%s)", result.ledger().summary()).isEmpty();
            softly.assertThat(result.eventsNotDelivered()).as("events never delivered to the webhook receiver").isZero();
        });
    }

    private void printWarningsOfTheServiceLogs() throws IOException {
        try (Stream<Path> logs = Files.list(work.resolve("reload-logs"))) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                Files.readAllLines(log).stream().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")
                        || line.contains("handover")).forEach(line -> System.out.println("[" + log.getFileName() + "] " + line));
            }
        }
    }
}
