package dev.lastcall.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouteTemplateTest {

    private final RouteTemplate account = new RouteTemplate("/v1/accounts/{code}/transfers");

    @Test
    void aVariableMatchesAnyOneNonEmptySegmentAndLiteralsMatchThemselves() {
        assertThat(account.matches("/v1/accounts/alice/transfers")).isTrue();
        assertThat(account.matches("/v1/accounts/{code}/transfers")).isTrue();
        assertThat(account.matches("/v1/accounts//transfers")).isFalse();
        assertThat(account.matches("/v1/accounts/alice/entries")).isFalse();
        assertThat(account.matches("/v1/accounts/alice")).isFalse();
        assertThat(account.matches("/v1/accounts/alice/transfers/")).isFalse();
        assertThat(account.matches("/v1/accounts/alice/transfers/x")).isFalse();
        assertThat(account.matches("")).isFalse();
    }

    @Test
    void aTemplateWithoutVariablesMatchesOnlyItsPath() {
        RouteTemplate accounts = new RouteTemplate("/v1/accounts");

        assertThat(accounts.matches("/v1/accounts")).isTrue();
        assertThat(accounts.matches("/v1/accounts/")).isFalse();
        assertThat(accounts.matches("/v1/account")).isFalse();
    }

    @Test
    void aTemplateMustBeAPathOfNonEmptySegments() {
        assertThatThrownBy(() -> new RouteTemplate("v1/accounts")).hasMessageContaining("'v1/accounts'");
        assertThatThrownBy(() -> new RouteTemplate("/v1//accounts")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RouteTemplate("/")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTemplateMustLieUnderItsPathSpec() {
        assertThat(RouteTemplate.allUnder("/v1/accounts/*", "/v1/accounts", "/v1/accounts/{code}")).hasSize(2);
        assertThat(RouteTemplate.allUnder("/v1/openapi.json", "/v1/openapi.json")).hasSize(1);

        assertThatThrownBy(() -> RouteTemplate.allUnder("/v1/accounts/*", "/v1/accountsx"))
                .hasMessageContaining("outside its path spec '/v1/accounts/*'");
        assertThatThrownBy(() -> RouteTemplate.allUnder("/v1/openapi.json", "/v1/openapi.json/{x}"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
