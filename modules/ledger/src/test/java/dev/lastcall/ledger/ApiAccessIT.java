package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.platform.testing.RawHttp;
import dev.lastcall.platform.testing.TestService;
import dev.lastcall.ledger.Api.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code api.tokens} set: every {@code /v1} request needs one of them as a bearer token. */
class ApiAccessIT {

    private static final String TOKEN = "first-token-0123456789";
    private static final String OTHER_TOKEN = "second-token-abcdefghij";
    private static TestService service;
    private static Api anonymous;

    @BeforeAll
    static void start() throws Exception {
        service = TestService.builder().env(Map.of("LASTCALL_API_TOKENS", TOKEN + ", " + OTHER_TOKEN)).module(LedgerModule::new).start();
        anonymous = new Api(service::uri);
    }

    @AfterAll
    static void stop() throws IOException {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void eachConfiguredTokenOpensTheApi() {
        String code = LedgerApiIT.unique("alice");
        Api first = new Api(service::uri, "Authorization", "Bearer " + TOKEN);
        Api second = new Api(service::uri, "Authorization", "Bearer " + OTHER_TOKEN);

        first.openAccount(code, "EUR", false);

        assertThat(second.get("/v1/accounts/" + code).status()).isEqualTo(200);
        assertThat(anonymous.get("/v1/accounts/" + code, "Authorization", "bearer " + TOKEN).status()).isEqualTo(200);
    }

    @Test
    void aRequestWithoutAValidTokenIs401AndChangesNothing() {
        String code = LedgerApiIT.unique("mallory");
        String body = "{\"code\":\"%s\",\"currency\":\"EUR\"}".formatted(code);
        for (String[] headers : new String[][] {
                {},
                {"Authorization", ""},
                {"Authorization", "Bearer"},
                {"Authorization", "Bearer "},
                {"Authorization", "Bearer wrong-token-0123456789"},
                {"Authorization", "Bearer " + TOKEN.substring(1)},
                {"Authorization", "Bearer " + TOKEN + "x"},
                {"Authorization", "Bearer " + TOKEN + "," + OTHER_TOKEN},
                {"Authorization", "Basic " + TOKEN},
                {"Authorization", TOKEN}}) {
            Reply reply = anonymous.post("/v1/accounts", body, headers);

            assertThat(reply.problem(401)).as(String.join(": ", headers)).isEqualTo("unauthorized");
            assertThat(reply.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        }
        Api authorized = new Api(service::uri, "Authorization", "Bearer " + TOKEN);
        assertThat(authorized.get("/v1/accounts/" + code).problem(404)).isEqualTo("account_not_found");
    }

    /** Once seen as "header parser received no bytes": the client reused the connection Jetty was closing. */
    @Test
    void aRefusedRequestWhoseBodyIsNotReadSaysItClosesTheConnection() throws IOException {
        try (RawHttp connection = RawHttp.open(service.httpPort())) {
            RawHttp.Response response = connection.send("POST /v1/accounts HTTP/1.1\r\nHost: test\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"code\":").read();

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.header("connection")).isEqualTo("close");
        }
    }

    @Test
    void everyPathUnderV1IsGuardedEvenOnesThatDoNotExist() throws IOException {
        assertThat(anonymous.get("/v1/transfers/1").problem(401)).isEqualTo("unauthorized");
        assertThat(anonymous.get("/v1/no-such-thing").problem(401)).isEqualTo("unauthorized");
        assertThat(anonymous.method("DELETE", "/v1/accounts").problem(401)).isEqualTo("unauthorized");
        assertThat(anonymous.get("/elsewhere").problem(404)).isEqualTo("not_found");
        Reply twoHeaders = Api.raw(service.httpPort(), "GET /v1/accounts/x HTTP/1.1\r\nAuthorization: Bearer "
                + TOKEN + "\r\nAuthorization: Bearer " + OTHER_TOKEN, new byte[0]);
        assertThat(twoHeaders.problem(401)).isEqualTo("unauthorized");
        Reply nonAscii = Api.raw(service.httpPort(), "GET /v1/accounts/x HTTP/1.1\r\nAuthorization: Bearer "
                + TOKEN + "\u00e9", "".getBytes(StandardCharsets.UTF_8));
        assertThat(nonAscii.status()).isIn(400, 401);
        assertThat(nonAscii.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    }
}
