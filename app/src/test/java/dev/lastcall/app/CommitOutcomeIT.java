package dev.lastcall.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.lastcall.app.CommitCuttingProxy.Cut;
import dev.lastcall.platform.testing.RawHttp;
import dev.lastcall.platform.testing.RestartablePostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection to PostgreSQL breaks during a transfer's COMMIT (a proxy on the wire cuts it),
 * once after the server committed and once before it got the COMMIT. Both times the client hears
 * 503 {@code commit_outcome_unknown}, never a success the service cannot prove, and its retry
 * with the same Idempotency-Key answers the committed transfer, or applies it, exactly once.
 */
class CommitOutcomeIT {

    @TempDir
    static Path work;

    private static RestartablePostgres postgres;
    private static CommitCuttingProxy proxy;
    private static ServiceProcess service;

    @BeforeAll
    static void start() throws Exception {
        assumeThat(RestartablePostgres.installed()).as("PostgreSQL binaries in " + RestartablePostgres.BIN).isTrue();
        postgres = RestartablePostgres.start();
        proxy = new CommitCuttingProxy(postgres.port());
        service = ServiceProcess.builder().quiet().label("commit").stateDir(work)
                // Every statement as text, COMMIT included, so that the proxy can see it.
                .env("LASTCALL_DB_URL", "jdbc:postgresql://127.0.0.1:%d/postgres?prepareThreshold=0".formatted(proxy.port()))
                .env("LASTCALL_DB_USER", RestartablePostgres.USER)
                .start().awaitReady();
        post("/v1/accounts", null, "{\"code\":\"world\",\"currency\":\"EUR\",\"allowNegative\":true}");
        post("/v1/accounts", null, "{\"code\":\"alice\",\"currency\":\"EUR\"}");
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aCommitWhoseAnswerWasLostIsAnswered503AndItsRetryReplaysTheCommittedTransfer() throws Exception {
        String key = "lost-answer-" + System.nanoTime();
        CountDownLatch cut = proxy.cutCommitOf(key, Cut.AFTER_THE_SERVER_GOT_IT);

        RawHttp.Response unknown = transfer(key);
        assertThat(cut.await(10, TimeUnit.SECONDS)).as("the proxy cut the commit").isTrue();
        assertUnknownOutcome(unknown);
        assertThat(transfersWithReference(key)).as("committed, though the service could not know").isEqualTo(1);

        RawHttp.Response retry = transfer(key);
        assertThat(retry.status()).as(retry.body()).isEqualTo(201);
        assertThat(retry.header("idempotent-replayed")).isEqualTo("true");
        assertThat(retry.body()).contains("\"id\":" + transferIdWithReference(key) + ",");
        assertThat(transfersWithReference(key)).isEqualTo(1);
    }

    @Test
    void aCommitCutBeforeTheServerGotItIsAnswered503AndItsRetryAppliesTheTransferOnce() throws Exception {
        String key = "lost-commit-" + System.nanoTime();
        CountDownLatch cut = proxy.cutCommitOf(key, Cut.BEFORE_THE_SERVER_GOT_IT);

        RawHttp.Response unknown = transfer(key);
        assertThat(cut.await(10, TimeUnit.SECONDS)).as("the proxy cut the commit").isTrue();
        assertUnknownOutcome(unknown);
        assertThat(transfersWithReference(key)).as("rolled back").isZero();

        RawHttp.Response retry = transfer(key);
        assertThat(retry.status()).as(retry.body()).isEqualTo(201);
        assertThat(retry.header("idempotent-replayed")).isNull();
        RawHttp.Response again = transfer(key);
        assertThat(again.header("idempotent-replayed")).isEqualTo("true");
        assertThat(transfersWithReference(key)).isEqualTo(1);
    }

    private static void assertUnknownOutcome(RawHttp.Response unknown) {
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(503);
        assertThat(unknown.header("retry-after")).isEqualTo("1");
        assertThat(unknown.body()).contains("\"code\":\"commit_outcome_unknown\"", "same Idempotency-Key")
                .doesNotContain("Exception");
    }

    private static RawHttp.Response transfer(String key) throws Exception {
        return post("/v1/transfers", key,
                "{\"from\":\"world\",\"to\":\"alice\",\"amount\":100,\"currency\":\"EUR\",\"reference\":\"%s\"}".formatted(key));
    }

    private static RawHttp.Response post(String path, String key, String body) throws Exception {
        String head = "POST " + path + " HTTP/1.1\r\nContent-Type: application/json" + (key == null ? "" : "\r\nIdempotency-Key: " + key);
        RawHttp.Response response = RawHttp.exchange(service.httpPort(), head, body.getBytes(StandardCharsets.UTF_8));
        if (key == null) {
            assertThat(response.status()).as(response.body()).isEqualTo(201);
        }
        return response;
    }

    private int transfersWithReference(String reference) throws Exception {
        try (Connection db = postgres.connect("postgres");
                PreparedStatement select = db.prepareStatement("SELECT count(*) FROM ledger_transfer WHERE reference = ?")) {
            select.setString(1, reference);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    private long transferIdWithReference(String reference) throws Exception {
        try (Connection db = postgres.connect("postgres");
                PreparedStatement select = db.prepareStatement("SELECT id FROM ledger_transfer WHERE reference = ?")) {
            select.setString(1, reference);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
