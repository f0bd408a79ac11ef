package dev.lastcall.platform.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.lastcall.platform.testing.ApiContract.Exchange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contract itself ({@code config/openapi.json}) and the check that holds real answers against
 * it; the answers themselves are checked where the API tests make them.
 */
class ApiContractTest {

    /** Which module's contract test must exercise which paths; together they must hold every path. */
    private static final List<String> OWNED_PATHS = List.of(
            "/v1/accounts", "/v1/transfers",   // LedgerContractIT
            "/v1/webhooks",                    // WebhooksContractIT
            "/v1/openapi.json");               // ContractServletIT

    private static final ApiContract CONTRACT = ApiContract.shipped();
    private static final String ACCOUNT = """
            {"code":"alice","currency":"EUR","balance":0,"allowNegative":false,"createdAt":"2026-01-31T12:00:00.123456Z"}""";
    private static final Map<String, List<String>> JSON = Map.of("Content-Type", List.of("application/json"));
    private static final Map<String, List<String>> PROBLEM = Map.of("Content-Type", List.of("application/problem+json"));

    @Test
    void isAValidOpenApi31Document() throws IOException {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaIdResolvers(resolvers -> resolvers
                        .mapPrefix("https://spec.openapis.org/oas/3.1", "classpath:oas/3.1")));
        List<Error> errors = registry.getSchema(SchemaLocation.of("https://spec.openapis.org/oas/3.1/schema-base/2022-10-07"))
                .validate(Files.readString(Path.of("../../config/openapi.json")), InputFormat.JSON);

        assertThat(errors).isEmpty();
    }

    @Test
    void theRepositorysFileIsTheOneInTheJar() throws IOException {
        assertThat(ApiContract.fromText(Files.readString(Path.of("../../config/openapi.json"))).document())
                .isEqualTo(CONTRACT.document());
    }

    @Test
    void everyPathIsOwnedByAModuleWhoseContractTestCoversIt() {
        assertThat(CONTRACT.operations()).isNotEmpty().allSatisfy(operation -> assertThat(OWNED_PATHS)
                .as("the owner of %s", operation).anyMatch(operation.path()::startsWith));
    }

    @Test
    void everyOperationDeclaresWhatAnyRequestMayMeetAndEveryProblemItsCodes() {
        CONTRACT.document().path("paths").properties().forEach(path -> path.getValue().properties().forEach(item -> {
            if (item.getKey().equals("parameters")) {
                return;
            }
            JsonNode responses = item.getValue().path("responses");
            assertThat(item.getValue().path("operationId").asText()).as("operationId of %s %s", item.getKey(), path.getKey())
                    .isNotEmpty();
            // what Jetty's parser, the size limit, the tokens, the error handler and the drain answer before or around any route
            assertThat(responses.properties().stream().map(Map.Entry::getKey)).as("statuses of %s %s", item.getKey(), path.getKey())
                    .contains("400", "401", "413", "414", "417", "431", "500", "503", "505");
            responses.properties().forEach(response -> {
                JsonNode problem = resolve(response.getValue()).path("content").path("application/problem+json");
                if (Integer.parseInt(response.getKey()) >= 400) {
                    assertThat(problem.path("schema").path("properties").path("code").path("enum").size())
                            .as("problem codes of %s %s %s", item.getKey(), path.getKey(), response.getKey()).isPositive();
                }
                if (response.getKey().equals("201")) {
                    assertThat(response.getValue().path("headers").has("Location"))
                            .as("Location of %s %s", item.getKey(), path.getKey()).isTrue();
                }
            });
        }));
    }

    @Test
    void anAnswerAsDeclaredKeepsIt() {
        assertThat(CONTRACT.violations(new Exchange("POST", "/v1/accounts", 201, headers(JSON, "Location", "/v1/accounts/alice"),
                ACCOUNT))).isEmpty();
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/accounts/alice?x=1", 200, JSON, ACCOUNT))).isEmpty();
        assertThat(CONTRACT.violations(new Exchange("HEAD", "/v1/accounts/alice", 200, JSON, ""))).isEmpty();
    }

    @Test
    void aMissingRequiredHeaderBreaksIt() {
        assertThat(CONTRACT.violations(new Exchange("POST", "/v1/accounts", 201, JSON, ACCOUNT)))
                .singleElement().asString().contains("required header Location is missing");
    }

    @Test
    void aKnownHeaderWhereItIsNotDeclaredBreaksIt() {
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/accounts/alice", 200, headers(JSON, "Retry-After", "1"),
                ACCOUNT))).singleElement().asString().contains("header Retry-After is not declared");
    }

    @Test
    void anUndeclaredStatusBreaksIt() {
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/accounts/alice", 418, PROBLEM, problem(418, "teapot"))))
                .singleElement().asString().contains("status 418 is not declared");
    }

    @Test
    void aProblemCodeTheOperationDoesNotDeclareBreaksIt() {
        assertThat(CONTRACT.violations(new Exchange("POST", "/v1/accounts", 409, PROBLEM, problem(409, "insufficient_funds"))))
                .anySatisfy(violation -> assertThat(violation).contains("problem code insufficient_funds is not among"));
    }

    @Test
    void aBodyThatDoesNotFitTheSchemaBreaksIt() {
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/accounts/alice", 200, JSON,
                ACCOUNT.replace("\"balance\":0,", "\"balance\":0,\"overdraft\":5,")))).isNotEmpty();
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/accounts/alice", 200, JSON,
                ACCOUNT.replace("\"balance\":0,", "")))).isNotEmpty();
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/accounts/alice", 200, JSON,
                ACCOUNT.replace("2026-01-31T12:00:00.123456Z", "yesterday")))).isNotEmpty();
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/accounts/alice", 200, PROBLEM, ACCOUNT)))
                .singleElement().asString().contains("content type application/problem+json is not declared");
    }

    @Test
    void outsideTheContractOnly404And405Problems() {
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/nothing", 404, PROBLEM, problem(404, "not_found")))).isEmpty();
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/transfers/1/more", 404, PROBLEM, problem(404, "not_found"))))
                .isEmpty();
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/accounts", 405, headers(PROBLEM, "Allow", "POST"),
                problem(405, "method_not_allowed")))).isEmpty();
        assertThat(CONTRACT.violations(new Exchange("POST", "/v1/accounts/alice", 405, headers(PROBLEM, "Allow", "GET, HEAD"),
                problem(405, "method_not_allowed")))).isEmpty();
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/accounts", 405, headers(PROBLEM, "Allow", "POST, PUT"),
                problem(405, "method_not_allowed")))).singleElement().asString().contains("Allow: POST, PUT");
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/accounts", 405, PROBLEM, problem(405, "method_not_allowed"))))
                .singleElement().asString().contains("Allow: (none)");
        assertThat(CONTRACT.violations(new Exchange("GET", "/v1/nothing", 200, JSON, "{}"))).isNotEmpty();
        assertThat(CONTRACT.violations(new Exchange("PUT", "/v1/accounts/alice", 200, JSON, ACCOUNT))).isNotEmpty();
    }

    @Test
    void aChangedContractNoLongerKeptByTheSameAnswer() {
        String text = CONTRACT.document().toString().replace(
                "\"required\":[\"code\",\"currency\",\"balance\",\"allowNegative\",\"createdAt\"]",
                "\"required\":[\"code\",\"currency\",\"balance\",\"allowNegative\",\"createdAt\",\"closedAt\"]");
        ApiContract changed = ApiContract.fromText(text);

        assertThat(changed.violations(new Exchange("GET", "/v1/accounts/alice", 200, JSON, ACCOUNT)))
                .anySatisfy(violation -> assertThat(violation).contains("closedAt"));
    }

    private static String problem(int status, String code) {
        return """
                {"type":"urn:lastcall:problem:%s","title":"T","status":%d,"detail":"d","code":"%s"}""".formatted(code, status, code);
    }

    private static Map<String, List<String>> headers(Map<String, List<String>> base, String name, String value) {
        java.util.Map<String, List<String>> headers = new java.util.HashMap<>(base);
        headers.put(name, List.of(value));
        return headers;
    }

    private static JsonNode resolve(JsonNode node) {
        return node.has("$ref") ? CONTRACT.document().at(node.path("$ref").asText().substring(1)) : node;
    }
}
