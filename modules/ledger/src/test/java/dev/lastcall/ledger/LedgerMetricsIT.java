package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.platform.testing.Scrape;
import dev.lastcall.platform.testing.TestService;
import org.junit.jupiter.api.Test;

/** What {@code POST /v1/transfers} answered, in {@code /metrics}: created, refused by code, replayed. */
class LedgerMetricsIT {

    @Test
    void transfersCreatedRefusalsByProblemCodeAndIdempotentReplaysAreCounted() throws Exception {
        try (TestService service = TestService.builder().module(LedgerModule::new).start()) {
            Api api = new Api(service::uri);
            api.openAccount("world", "EUR", true);
            api.openAccount("alice", "EUR", false);
            api.openAccount("bob", "EUR", false);
            api.openAccount("carol", "USD", false);

            String key = Api.newKey();
            assertThat(api.transfer(key, "world", "alice", 100, "EUR").status()).isEqualTo(201);
            assertThat(api.transfer(key, "world", "alice", 100, "EUR").status()).isEqualTo(201);
            assertThat(api.transfer("world", "bob", 50, "EUR").status()).isEqualTo(201);
            assertThat(api.transfer("bob", "alice", 500, "EUR").status()).isEqualTo(409);
            assertThat(api.transfer("alice", "carol", 1, "EUR").status()).isEqualTo(422);
            assertThat(api.transfer("alice", "nobody", 1, "EUR").status()).isEqualTo(422);
            assertThat(api.post("/v1/transfers", "{\"from\":\"alice\"}", "Idempotency-Key", Api.newKey()).status())
                    .isEqualTo(400);
            assertThat(api.transfer(key, "world", "alice", 999, "EUR").status()).isEqualTo(422);

            Scrape scrape = Scrape.of(service.adminUri("/metrics"));

            assertThat(scrape.value("lastcall_ledger_transfers_committed_total")).hasValue(2);
            assertThat(scrape.value("lastcall_ledger_transfers_replayed_total")).hasValue(1);
            assertThat(scrape.value("lastcall_ledger_transfers_refused_total", "code", "insufficient_funds")).hasValue(1);
            assertThat(scrape.value("lastcall_ledger_transfers_refused_total", "code", "currency_mismatch")).hasValue(1);
            assertThat(scrape.value("lastcall_ledger_transfers_refused_total", "code", "account_not_found")).hasValue(1);
            assertThat(scrape.value("lastcall_ledger_transfers_refused_total", "code", "invalid_request")).hasValue(1);
            assertThat(scrape.value("lastcall_ledger_transfers_refused_total", "code", "idempotency_key_reused"))
                    .hasValue(1);
            assertThat(scrape.value("http_server_request_duration_seconds_count", "http_request_method", "POST",
                    "http_route", "/v1/transfers", "http_response_status_code", "201")).hasValue(3);
        }
    }
}
