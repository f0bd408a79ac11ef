package dev.lastcall.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.platform.testing.ContractExchanges;
import dev.lastcall.platform.testing.ContractTestsLast;
import org.junit.jupiter.api.Test;

/**
 * The webhooks API against its contract ({@code config/openapi.json}): run after the other tests of
 * this module ({@link ContractTestsLast}), whose every answer was checked as it came.
 */
class WebhooksContractIT {

    @Test
    void theOtherTestsExercisedEveryWebhooksOperation() {
        assertThat(ContractExchanges.notExercised("/v1/webhooks")).as("operations no test exercised").isEmpty();
    }

    @Test
    void noAnswerBrokeTheContract() {
        assertThat(ContractExchanges.violations()).isEmpty();
    }
}
