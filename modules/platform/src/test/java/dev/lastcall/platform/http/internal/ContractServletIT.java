package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.testing.ApiContract.Exchange;
import dev.lastcall.platform.testing.ContractExchanges;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/openapi.json}: the contract as shipped, under {@code /v1}'s access rules, keeping itself. */
class ContractServletIT {

    @Test
    void servesTheRepositorysContract() throws Exception {
        try (RunningService service = RunningService.start(Map.of())) {
            HttpResponse<String> response = get(service, "/v1/openapi.json");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(response.body()))
                    .isEqualTo(new ObjectMapper().readTree(Files.readString(Path.of("../../config/openapi.json"))));
            assertThat(ContractExchanges.notExercised("/v1/openapi.json")).isEmpty();
        }
    }

    @Test
    void apiTokensApplyToIt() throws Exception {
        try (RunningService service = RunningService.start(Map.of("LASTCALL_API_TOKENS", "api-token-0123456789"))) {
            assertThat(get(service, "/v1/openapi.json").statusCode()).isEqualTo(401);
            assertThat(service.client.send(HttpRequest.newBuilder(service.uri("/v1/openapi.json"))
                    .header("Authorization", "Bearer api-token-0123456789").build(), BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void aWriteToItIs405() throws Exception {
        try (RunningService service = RunningService.start(Map.of())) {
            HttpResponse<String> response = service.client.send(HttpRequest.newBuilder(service.uri("/v1/openapi.json"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), BodyHandlers.ofString());
            ContractExchanges.check(new Exchange("POST", "/v1/openapi.json", response.statusCode(),
                    response.headers().map(), response.body()));
        }
    }

    /** A GET whose answer must keep the contract. */
    private static HttpResponse<String> get(RunningService service, String path) throws Exception {
        HttpResponse<String> response = service.client.send(HttpRequest.newBuilder(service.uri(path)).build(),
                BodyHandlers.ofString());
        ContractExchanges.check(new Exchange("GET", path, response.statusCode(), response.headers().map(), response.body()));
        return response;
    }
}
