package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.platform.testing.ContractExchanges;
import dev.lastcall.platform.testing.ContractTestsLast;
import org.junit.jupiter.api.Test;

/**
 * The ledger's API against its contract ({@code config/openapi.json}): run after the other tests of
 * this module ({@link ContractTestsLast}), whose every answer was checked as it came.
 */
class LedgerContractIT {

    @Test
    void theOtherTestsExercisedEveryLedgerOperation() {
        assertThat(ContractExchanges.notExercised("/v1/accounts", "/v1/transfers")).as("operations no test exercised").isEmpty();
    }

    @Test
    void noAnswerBrokeTheContract() {
        assertThat(ContractExchanges.violations()).isEmpty();
    }
}
