package dev.lastcall.ledger;

import dev.lastcall.ledger.TransferAnswer.Stored;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * What {@code POST /v1/transfers} answered: transfers created, refusals by problem code (a bounded
 * set: the codes this module and the platform's request parsing use), and idempotent replays.
 */
@Singleton
final class LedgerMetrics {

    /** The codes a transfer request is refused with, counted from 0 so that a dashboard finds them before the first. */
    private static final List<String> KNOWN_REFUSALS = List.of("invalid_request", "idempotency_key_required",
            "idempotency_key_in_use", "idempotency_key_reused", "same_account", "account_not_found", "currency_mismatch",
            "insufficient_funds", "balance_out_of_range");

    private final MeterRegistry registry;
    private final Counter created;
    private final Counter replayed;
    private final DistributionSummary batchSize;

    @Inject
    LedgerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.created = Counter.builder("lastcall.ledger.transfers.committed")
                .description("Transfers committed (201, not counting replays)")
                .register(registry);
        this.replayed = Counter.builder("lastcall.ledger.transfers.replayed")
                .description("Requests answered with the stored answer of an earlier request with the same Idempotency-Key")
                .register(registry);
        this.batchSize = DistributionSummary.builder("lastcall.ledger.transfers.batch.size")
                .description("Transfer requests per committed batch (group commit): one transaction and one WAL flush each")
                .register(registry);
        KNOWN_REFUSALS.forEach(this::refusals);
    }

    void committedBatch(int transfers) {
        batchSize.record(transfers);
    }

    void answered(Stored answer) {
        if (answer.replayed()) {
            replayed.increment();
        } else if (answer.code() != null) {
            refused(answer.code());
        } else {
            created.increment();
        }
    }

    void refused(String code) {
        refusals(code).increment();
    }

    private Counter refusals(String code) {
        return Counter.builder("lastcall.ledger.transfers.refused")
                .description("Transfer requests refused, by problem code")
                .tag("code", code)
                .register(registry);
    }
}
