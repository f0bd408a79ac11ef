package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lastcall.platform.testing.TestService;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.ledger.Api.Reply;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP API v1 of the ledger, status by status, against the real service and a real PostgreSQL. */
class LedgerApiIT {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExecutorService THREADS = Executors.newVirtualThreadPerTaskExecutor();
    private static TestService service;
    private static Api api;

    @BeforeAll
    static void start() throws Exception {
        service = TestService.builder().module(LedgerModule::new).start();
        api = new Api(service::uri);
    }

    @AfterAll
    static void stop() throws IOException {
        THREADS.shutdownNow();
        if (service != null) {
            service.close();
        }
    }

    /** A code no other test uses, so the tests share one database without seeing each other. */
    static String unique(String name) {
        return name + "-" + NAMES.incrementAndGet() + "-" + Long.toString(System.nanoTime(), 36);
    }

    /** A funded account: {@code amount} moved into it from a fresh account that may go negative. */
    static String funded(String name, String currency, long amount) {
        String world = unique("world");
        String account = unique(name);
        api.openAccount(world, currency, true);
        api.openAccount(account, currency, false);
        assertThat(api.transfer(world, account, amount, currency).status()).isEqualTo(201);
        return account;
    }

    @Nested
    class Accounts {

        @Test
        void opensAnAccountWithZeroBalanceAndItsLocation() {
            String code = unique("alice");
            Instant before = Instant.now().minusSeconds(5);

            Reply created = api.post("/v1/accounts", """
                    {"code":"%s","currency":"EUR","allowNegative":false}""".formatted(code));

            assertThat(created.status()).isEqualTo(201);
            assertThat(created.header("Location")).hasValue("/v1/accounts/" + code);
            assertThat(created.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            JsonNode body = created.json();
            assertThat(body.path("code").asText()).isEqualTo(code);
            assertThat(body.path("currency").asText()).isEqualTo("EUR");
            assertThat(body.path("balance").isIntegralNumber()).isTrue();
            assertThat(body.path("balance").asLong()).isZero();
            assertThat(body.path("allowNegative").isBoolean()).isTrue();
            assertThat(body.path("allowNegative").asBoolean()).isFalse();
            assertThat(Instant.parse(body.path("createdAt").asText())).isBetween(before, Instant.now().plusSeconds(5));
            assertThat(fieldNames(body)).containsExactly("code", "currency", "balance", "allowNegative", "createdAt");

            Reply read = api.get("/v1/accounts/" + code);
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.json()).isEqualTo(body);
        }

        @Test
        void allowNegativeIsOptionalAndFalseByDefault() {
            String plain = unique("plain");
            String world = unique("world");

            Reply withoutFlag = api.post("/v1/accounts", """
                    {"currency":"USD","code":"%s"}""".formatted(plain));
            Reply withFlag = api.post("/v1/accounts", """
                    {"code":"%s","currency":"USD","allowNegative":true}""".formatted(world));

            assertThat(withoutFlag.status()).isEqualTo(201);
            assertThat(withoutFlag.json().path("allowNegative").asBoolean()).isFalse();
            assertThat(withFlag.status()).isEqualTo(201);
            assertThat(api.get("/v1/accounts/" + world).json().path("allowNegative").asBoolean()).isTrue();
        }

        @Test
        void acceptsEveryAllowedCharacterAndSixtyFourOfThem() {
            String all = "Az09_.:-" + Long.toString(System.nanoTime(), 36);
            String longest = (unique("x") + "y".repeat(64)).substring(0, 64);

            assertThat(api.post("/v1/accounts", "{\"code\":\"%s\",\"currency\":\"EUR\"}".formatted(all)).status())
                    .isEqualTo(201);
            assertThat(api.post("/v1/accounts", "{\"code\":\"%s\",\"currency\":\"EUR\"}".formatted(longest)).status())
                    .isEqualTo(201);
            assertThat(api.get("/v1/accounts/" + all).json().path("code").asText()).isEqualTo(all);
            assertThat(api.get("/v1/accounts/" + longest).status()).isEqualTo(200);
        }

        @Test
        void anExistingCodeIs409AccountExists() {
            String code = unique("taken");
            api.openAccount(code, "EUR", false);

            Reply again = api.post("/v1/accounts", """
                    {"code":"%s","currency":"USD"}""".formatted(code));

            assertThat(again.problem(409)).isEqualTo("account_exists");
            assertThat(api.get("/v1/accounts/" + code).json().path("currency").asText()).isEqualTo("EUR");
        }

        @Test
        void concurrentOpeningsOfOneCodeOpenItOnce() throws Exception {
            String code = unique("race");
            CountDownLatch gate = new CountDownLatch(1);
            List<CompletableFuture<Integer>> replies = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                replies.add(CompletableFuture.supplyAsync(() -> {
                    await(gate);
                    return api.post("/v1/accounts", "{\"code\":\"%s\",\"currency\":\"EUR\"}".formatted(code)).status();
                }, THREADS));
            }
            gate.countDown();

            List<Integer> statuses = replies.stream().map(CompletableFuture::join).toList();

            assertThat(statuses).containsOnly(201, 409);
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        }

        @Test
        void anUnknownAccountIs404AccountNotFound() {
            assertThat(api.get("/v1/accounts/" + unique("nobody")).problem(404)).isEqualTo("account_not_found");
            assertThat(api.get("/v1/accounts/not%20a%20code").problem(404)).isEqualTo("account_not_found");
            assertThat(api.get("/v1/accounts/" + "x".repeat(65)).problem(404)).isEqualTo("account_not_found");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', textBlock = """
                {"currency":"EUR"}                                       | code
                {"code":null,"currency":"EUR"}                           | code
                {"code":"","currency":"EUR"}                             | code
                {"code":"has space","currency":"EUR"}                    | code
                {"code":"slash/inside","currency":"EUR"}                 | code
                {"code":"caf\\u00e9","currency":"EUR"}                   | code
                {"code":".","currency":"EUR"}                            | code
                {"code":"..","currency":"EUR"}                           | code
                {"code":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","currency":"EUR"} | code
                {"code":123,"currency":"EUR"}                            | code
                {"code":["a"],"currency":"EUR"}                          | code
                {"code":"ok-code"}                                       | currency
                {"code":"ok-code","currency":"eur"}                      | currency
                {"code":"ok-code","currency":"EURO"}                     | currency
                {"code":"ok-code","currency":"E1R"}                      | currency
                {"code":"ok-code","currency":""}                         | currency
                {"code":"ok-code","currency":978}                        | currency
                {"code":"ok-code","currency":"EUR","allowNegative":"true"} | allowNegative
                {"code":"ok-code","currency":"EUR","allowNegative":1}    | allowNegative
                {"code":"ok-code","currency":"EUR","owner":"bob"}        | owner
                {"code":"ok-code","currency":"EUR","balance":100}        | balance
                """)
        void anInvalidBodyIs400NamingTheField(String body, String field) {
            Reply reply = api.post("/v1/accounts", body);

            assertThat(reply.problem(400)).isEqualTo("invalid_request");
            assertThat(reply.detail()).contains("'" + field + "'");
            assertThat(api.get("/v1/accounts/ok-code").status()).isEqualTo(404);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "null", "[]", "\"alice\"", "42", "{", "{\"code\":\"a\",}", "{\"code\":\"a\"} x",
                "{'code':'a'}", "{\"code\":\"dup\",\"code\":\"dup\",\"currency\":\"EUR\"}"})
        void aBodyThatIsNoJsonObjectIs400(String body) {
            Reply reply = api.post("/v1/accounts", body);

            assertThat(reply.problem(400)).isEqualTo("invalid_request");
            assertThat(reply.body()).doesNotContain("Exception", "jackson", "at dev.");
        }

        @Test
        void aBodyThatIsNotJsonIs415() {
            Reply reply = api.send(api.request("/v1/accounts").header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"a\",\"currency\":\"EUR\"}")).build());

            assertThat(reply.problem(415)).isEqualTo("unsupported_media_type");
        }

        @Test
        void anOversizedBodyIs413() throws IOException {
            String padding = "x".repeat(2 * 1024 * 1024);
            String body = "{\"code\":\"big\",\"currency\":\"EUR\",\"pad\":\"" + padding + "\"}";

            // With Expect: 100-continue, as a client sending a large body should: the 413 comes before
            // the body is sent. Without it the answer races the connection's reset (the server
            // closes with the body unread), and the client may see the reset instead.
            Reply declared = api.send(api.request("/v1/accounts").header("Content-Type", "application/json")
                    .expectContinue(true).POST(HttpRequest.BodyPublishers.ofString(body)).build());
            Reply chunked = api.send(api.request("/v1/accounts").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)))).build());

            assertThat(declared.problem(413)).isEqualTo("payload_too_large");
            assertThat(chunked.problem(413)).isEqualTo("payload_too_large");
        }

        @Test
        void otherMethodsAndPathsAreProblems() {
            String code = unique("paths");
            api.openAccount(code, "EUR", false);

            assertThat(api.get("/v1/accounts").problem(405)).isEqualTo("method_not_allowed");
            assertThat(api.post("/v1/accounts/" + code, "{}").problem(405)).isEqualTo("method_not_allowed");
            assertThat(api.method("DELETE", "/v1/accounts/" + code).problem(405)).isEqualTo("method_not_allowed");
            assertThat(api.method("PUT", "/v1/accounts/" + code).problem(405)).isEqualTo("method_not_allowed");
            assertThat(api.get("/v1/accounts/" + code + "/elsewhere").problem(404)).isEqualTo("not_found");
            assertThat(api.get("/v1/nothing-here").problem(404)).isEqualTo("not_found");
        }
    }

    @Nested
    class Transfers {

        @Test
        void fundsAnAccountFromOneThatMayGoNegativeAndMovesMoney() {
            String world = unique("world");
            String alice = unique("alice");
            String bob = unique("bob");
            api.openAccount(world, "EUR", true);
            api.openAccount(alice, "EUR", false);
            api.openAccount(bob, "EUR", false);

            Reply funding = api.post("/v1/transfers", """
                    {"from":"%s","to":"%s","amount":1000,"currency":"EUR","reference":"opening deposit"}"""
                    .formatted(world, alice), "Idempotency-Key", Api.newKey());
            Reply payment = api.transfer(alice, bob, 250, "EUR");

            assertThat(funding.status()).isEqualTo(201);
            JsonNode transfer = funding.json();
            assertThat(fieldNames(transfer)).containsExactly("id", "from", "to", "amount", "currency", "reference", "createdAt");
            assertThat(transfer.path("from").asText()).isEqualTo(world);
            assertThat(transfer.path("to").asText()).isEqualTo(alice);
            assertThat(transfer.path("amount").asLong()).isEqualTo(1000);
            assertThat(transfer.path("currency").asText()).isEqualTo("EUR");
            assertThat(transfer.path("reference").asText()).isEqualTo("opening deposit");
            assertThat(funding.header("Location")).hasValue("/v1/transfers/" + transfer.path("id").asLong());
            assertThat(funding.header("Idempotent-Replayed")).isEmpty();
            assertThat(payment.status()).isEqualTo(201);
            assertThat(payment.json().path("reference").isNull()).isTrue();
            assertThat(api.balance(world)).isEqualTo(-1000);
            assertThat(api.balance(alice)).isEqualTo(750);
            assertThat(api.balance(bob)).isEqualTo(250);

            Reply read = api.get(funding.header("Location").orElseThrow());
            assertThat(read.status()).isEqualTo(200);
            assertThat(read.json()).isEqualTo(transfer);
        }

        @Test
        void aTransferMayEmptyAnAccountButNotOverdrawIt() {
            String alice = funded("alice", "EUR", 500);
            String bob = unique("bob");
            api.openAccount(bob, "EUR", false);

            Reply tooMuch = api.transfer(alice, bob, 501, "EUR");
            Reply all = api.transfer(alice, bob, 500, "EUR");
            Reply oneMore = api.transfer(alice, bob, 1, "EUR");

            assertThat(tooMuch.problem(409)).isEqualTo("insufficient_funds");
            assertThat(all.status()).isEqualTo(201);
            assertThat(oneMore.problem(409)).isEqualTo("insufficient_funds");
            assertThat(api.balance(alice)).isZero();
            assertThat(api.balance(bob)).isEqualTo(500);
        }

        @Test
        void anAccountThatAllowsNegativeGoesBelowZero() {
            String world = unique("world");
            String alice = unique("alice");
            api.openAccount(world, "GBP", true);
            api.openAccount(alice, "GBP", false);

            assertThat(api.transfer(world, alice, Fields.MAX_AMOUNT, "GBP").status()).isEqualTo(201);

            assertThat(api.balance(world)).isEqualTo(-Fields.MAX_AMOUNT);
            assertThat(api.balance(alice)).isEqualTo(Fields.MAX_AMOUNT);
        }

        @Test
        void unknownAccountsAreRefusedWith422AndNothingMoves() {
            String alice = funded("alice", "EUR", 100);
            String nobody = unique("nobody");

            Reply fromUnknown = api.transfer(nobody, alice, 10, "EUR");
            Reply toUnknown = api.transfer(alice, nobody, 10, "EUR");

            assertThat(fromUnknown.problem(422)).isEqualTo("account_not_found");
            assertThat(fromUnknown.detail()).contains(nobody);
            assertThat(toUnknown.problem(422)).isEqualTo("account_not_found");
            assertThat(api.balance(alice)).isEqualTo(100);
        }

        @Test
        void aCurrencyThatDiffersFromEitherAccountIs422CurrencyMismatch() {
            String euros = funded("euros", "EUR", 100);
            String dollars = unique("dollars");
            api.openAccount(dollars, "USD", false);
            String moreEuros = unique("euros");
            api.openAccount(moreEuros, "EUR", false);

            assertThat(api.transfer(euros, dollars, 10, "EUR").problem(422)).isEqualTo("currency_mismatch");
            assertThat(api.transfer(euros, dollars, 10, "USD").problem(422)).isEqualTo("currency_mismatch");
            assertThat(api.transfer(euros, moreEuros, 10, "USD").problem(422)).isEqualTo("currency_mismatch");
            assertThat(api.balance(euros)).isEqualTo(100);
            assertThat(api.balance(dollars)).isZero();
            assertThat(api.balance(moreEuros)).isZero();
        }

        @Test
        void fromAndToTheSameAccountIs422SameAccount() {
            String alice = funded("alice", "EUR", 100);

            assertThat(api.transfer(alice, alice, 10, "EUR").problem(422)).isEqualTo("same_account");
            assertThat(api.balance(alice)).isEqualTo(100);
        }

        @Test
        void aBalanceBeyondSixtyFourBitsIs422() {
            String world = unique("world");
            String whale = unique("whale");
            api.openAccount(world, "JPY", true);
            api.openAccount(whale, "JPY", false);
            long fits = Long.MAX_VALUE / Fields.MAX_AMOUNT;
            for (long i = 0; i < fits; i++) {
                assertThat(api.transfer(world, whale, Fields.MAX_AMOUNT, "JPY").status()).isEqualTo(201);
            }

            Reply overflow = api.transfer(world, whale, Fields.MAX_AMOUNT, "JPY");

            assertThat(overflow.problem(422)).isEqualTo("balance_out_of_range");
            assertThat(api.balance(whale)).isEqualTo(fits * Fields.MAX_AMOUNT);
            assertThat(api.balance(world)).isEqualTo(-fits * Fields.MAX_AMOUNT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"1", "9007199254740991"})
        void amountsFromOneToTwoToTheFiftyThreeMinusOneAreAccepted(String amount) {
            String world = unique("world");
            String alice = unique("alice");
            api.openAccount(world, "EUR", true);
            api.openAccount(alice, "EUR", false);

            Reply reply = api.post("/v1/transfers", """
                    {"from":"%s","to":"%s","amount":%s,"currency":"EUR"}""".formatted(world, alice, amount),
                    "Idempotency-Key", Api.newKey());

            assertThat(reply.status()).isEqualTo(201);
            assertThat(api.balance(alice)).isEqualTo(Long.parseLong(amount));
        }

        @ParameterizedTest
        @ValueSource(strings = {"0", "-1", "-9007199254740991", "9007199254740992", "9223372036854775807",
                "9223372036854775808", "99999999999999999999999999999", "-99999999999999999999999999999", "1.5", "10.0",
                "1e3", "1E3", "0.0", "\"1000\"", "\"\"", "true", "null", "[10]", "{\"value\":10}", "-0"})
        void anAmountThatIsNoIntegerFromOneToTheLimitIs400(String amount) {
            String world = unique("world");
            String alice = unique("alice");
            api.openAccount(world, "EUR", true);
            api.openAccount(alice, "EUR", false);

            Reply reply = api.post("/v1/transfers", """
                    {"from":"%s","to":"%s","amount":%s,"currency":"EUR"}""".formatted(world, alice, amount),
                    "Idempotency-Key", Api.newKey());

            assertThat(reply.problem(400)).isEqualTo("invalid_request");
            assertThat(reply.detail()).contains("amount");
            assertThat(api.balance(alice)).isZero();
        }

        @Test
        void aMissingAmountIs400() {
            Reply reply = api.post("/v1/transfers", """
                    {"from":"a","to":"b","currency":"EUR"}""", "Idempotency-Key", Api.newKey());

            assertThat(reply.problem(400)).isEqualTo("invalid_request");
            assertThat(reply.detail()).contains("'amount'");
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', textBlock = """
                {"to":"b","amount":1,"currency":"EUR"}                       | from
                {"from":"a b","to":"b","amount":1,"currency":"EUR"}          | from
                {"from":"a","to":"","amount":1,"currency":"EUR"}             | to
                {"from":"a","to":7,"amount":1,"currency":"EUR"}              | to
                {"from":"a","to":"b","amount":1}                             | currency
                {"from":"a","to":"b","amount":1,"currency":"euro"}           | currency
                {"from":"a","to":"b","amount":1,"currency":"US"}             | currency
                {"from":"a","to":"b","amount":1,"currency":"EUR","reference":5}        | reference
                {"from":"a","to":"b","amount":1,"currency":"EUR","reference":"a\\u0000b"} | reference
                {"from":"a","to":"b","amount":1,"currency":"EUR","reference":"line\\nbreak"} | reference
                {"from":"a","to":"b","amount":1,"currency":"EUR","reference":"\\ud800"} | reference
                {"from":"a","to":"b","amount":1,"currency":"EUR","memo":"x"}           | memo
                {"from":"a","to":"b","amount":1,"currency":"EUR","id":5}               | id
                """)
        void anInvalidTransferBodyIs400NamingTheField(String body, String field) {
            Reply reply = api.post("/v1/transfers", body, "Idempotency-Key", Api.newKey());

            assertThat(reply.problem(400)).isEqualTo("invalid_request");
            assertThat(reply.detail()).contains("'" + field + "'");
        }

        @Test
        void aReferenceHoldsUpTo255Characters() {
            String alice = funded("alice", "EUR", 100);
            String bob = unique("bob");
            api.openAccount(bob, "EUR", false);
            String longest = "\uD83D\uDCB6".repeat(255);

            Reply tooLong = api.post("/v1/transfers", """
                    {"from":"%s","to":"%s","amount":1,"currency":"EUR","reference":"%s"}"""
                    .formatted(alice, bob, "r".repeat(256)), "Idempotency-Key", Api.newKey());
            Reply fits = api.post("/v1/transfers", """
                    {"from":"%s","to":"%s","amount":1,"currency":"EUR","reference":"%s"}"""
                    .formatted(alice, bob, longest), "Idempotency-Key", Api.newKey());

            assertThat(tooLong.problem(400)).isEqualTo("invalid_request");
            assertThat(tooLong.detail()).contains("'reference'");
            assertThat(fits.status()).isEqualTo(201);
            assertThat(api.get(fits.header("Location").orElseThrow()).json().path("reference").asText()).isEqualTo(longest);
        }

        @Test
        void anUnknownTransferIs404TransferNotFound() {
            for (String id : List.of("999999999999", "0", "-1", "abc", "1.0", "99999999999999999999999", "00001")) {
                assertThat(api.get("/v1/transfers/" + id).problem(404)).as(id).isEqualTo("transfer_not_found");
            }
            assertThat(api.get("/v1/transfers").problem(405)).isEqualTo("method_not_allowed");
            assertThat(api.get("/v1/transfers/1/more").problem(404)).isEqualTo("not_found");
        }
    }

    @Nested
    class IdempotencyKeys {

        @Test
        void aMissingOrEmptyKeyIs400IdempotencyKeyRequiredAndNothingMoves() {
            String alice = funded("alice", "EUR", 100);
            String bob = unique("bob");
            api.openAccount(bob, "EUR", false);
            String body = "{\"from\":\"%s\",\"to\":\"%s\",\"amount\":10,\"currency\":\"EUR\"}".formatted(alice, bob);

            assertThat(api.post("/v1/transfers", body).problem(400)).isEqualTo("idempotency_key_required");
            assertThat(api.post("/v1/transfers", body, "Idempotency-Key", "").problem(400))
                    .isEqualTo("idempotency_key_required");
            assertThat(api.balance(bob)).isZero();
        }

        @Test
        void aKeyOfUpTo255VisibleAsciiCharactersIsAccepted() {
            String alice = funded("alice", "EUR", 100);
            String bob = unique("bob");
            api.openAccount(bob, "EUR", false);
            String visible = "!~" + Api.newKey();
            String longest = (Api.newKey() + "k".repeat(255)).substring(0, 255);

            assertThat(api.transfer(visible, alice, bob, 1, "EUR").status()).isEqualTo(201);
            assertThat(api.transfer(longest, alice, bob, 1, "EUR").status()).isEqualTo(201);
            assertThat(api.balance(bob)).isEqualTo(2);
        }

        @Test
        void aKeyThatIsTooLongOrNotVisibleAsciiIs400() throws IOException {
            String alice = funded("alice", "EUR", 100);
            String bob = unique("bob");
            api.openAccount(bob, "EUR", false);
            byte[] body = "{\"from\":\"%s\",\"to\":\"%s\",\"amount\":10,\"currency\":\"EUR\"}".formatted(alice, bob)
                    .getBytes(StandardCharsets.UTF_8);
            String head = "POST /v1/transfers HTTP/1.1\r\nContent-Type: application/json";

            assertThat(api.transfer("k".repeat(256), alice, bob, 10, "EUR").problem(400)).isEqualTo("invalid_request");
            assertThat(api.transfer("has space", alice, bob, 10, "EUR").problem(400)).isEqualTo("invalid_request");
            assertThat(Api.raw(service.httpPort(), head + "\r\nIdempotency-Key: caf\u00e9", body).problem(400))
                    .isEqualTo("invalid_request");
            assertThat(Api.raw(service.httpPort(), head + "\r\nIdempotency-Key: a\tb", body).problem(400))
                    .isEqualTo("invalid_request");
            assertThat(Api.raw(service.httpPort(), head + "\r\nIdempotency-Key: one\r\nIdempotency-Key: two", body)
                    .problem(400)).isEqualTo("invalid_request");
            assertThat(Api.raw(service.httpPort(), head + "\r\nIdempotency-Key: " + "k".repeat(20_000), body)
                    .problem(431)).isEqualTo("headers_too_large");
            assertThat(api.balance(bob)).isZero();
        }

        @Test
        void theSameKeyAndBodyReplayTheFirstAnswerAndApplyOnce() {
            String alice = funded("alice", "EUR", 100);
            String bob = unique("bob");
            api.openAccount(bob, "EUR", false);
            String key = Api.newKey();

            Reply first = api.transfer(key, alice, bob, 30, "EUR");
            Reply second = api.transfer(key, alice, bob, 30, "EUR");
            Reply reordered = api.post("/v1/transfers", """
                    {  "currency" : "EUR", "amount":30, "to":"%s", "from":"%s" }""".formatted(bob, alice),
                    "Idempotency-Key", key);

            assertThat(first.status()).isEqualTo(201);
            assertThat(first.header("Idempotent-Replayed")).isEmpty();
            for (Reply replay : List.of(second, reordered)) {
                assertThat(replay.status()).isEqualTo(201);
                assertThat(replay.header("Idempotent-Replayed")).hasValue("true");
                assertThat(replay.body()).isEqualTo(first.body());
                assertThat(replay.header("Location")).isEqualTo(first.header("Location"));
            }
            assertThat(api.balance(alice)).isEqualTo(70);
            assertThat(api.balance(bob)).isEqualTo(30);
            assertThat(eventsOf(first.json().path("id").asLong())).containsExactly(first.json());
        }

        @Test
        void theSameKeyWithAnotherBodyIs422IdempotencyKeyReused() {
            String alice = funded("alice", "EUR", 100);
            String bob = unique("bob");
            api.openAccount(bob, "EUR", false);
            String key = Api.newKey();
            assertThat(api.transfer(key, alice, bob, 30, "EUR").status()).isEqualTo(201);

            Reply otherAmount = api.transfer(key, alice, bob, 31, "EUR");
            Reply otherReference = api.post("/v1/transfers", """
                    {"from":"%s","to":"%s","amount":30,"currency":"EUR","reference":"x"}""".formatted(alice, bob),
                    "Idempotency-Key", key);
            Reply emptyReference = api.post("/v1/transfers", """
                    {"from":"%s","to":"%s","amount":30,"currency":"EUR","reference":""}""".formatted(alice, bob),
                    "Idempotency-Key", key);

            assertThat(otherAmount.problem(422)).isEqualTo("idempotency_key_reused");
            assertThat(otherReference.problem(422)).isEqualTo("idempotency_key_reused");
            assertThat(emptyReference.problem(422)).isEqualTo("idempotency_key_reused");
            assertThat(api.balance(bob)).isEqualTo(30);
        }

        @Test
        void aRefusalIsTheFirstAnswerTooAndIsReplayed() {
            String alice = funded("alice", "EUR", 10);
            String bob = unique("bob");
            api.openAccount(bob, "EUR", false);
            String key = Api.newKey();

            Reply refused = api.transfer(key, alice, bob, 50, "EUR");
            String world = unique("world");
            api.openAccount(world, "EUR", true);
            assertThat(api.transfer(world, alice, 100, "EUR").status()).isEqualTo(201);
            Reply replayed = api.transfer(key, alice, bob, 50, "EUR");
            Reply withNewKey = api.transfer(alice, bob, 50, "EUR");

            assertThat(refused.problem(409)).isEqualTo("insufficient_funds");
            assertThat(replayed.problem(409)).isEqualTo("insufficient_funds");
            assertThat(replayed.header("Idempotent-Replayed")).hasValue("true");
            assertThat(replayed.body()).isEqualTo(refused.body());
            assertThat(replayed.header("Location")).as("a refusal names no transfer, replayed or not").isEmpty();
            assertThat(withNewKey.status()).isEqualTo(201);
            assertThat(api.balance(bob)).isEqualTo(50);
        }

        @Test
        void aRequestRefusedBeforeTheLedgerDecidedLeavesTheKeyUnused() {
            String alice = funded("alice", "EUR", 100);
            String bob = unique("bob");
            api.openAccount(bob, "EUR", false);
            String key = Api.newKey();

            Reply invalid = api.post("/v1/transfers", """
                    {"from":"%s","to":"%s","amount":"10","currency":"EUR"}""".formatted(alice, bob),
                    "Idempotency-Key", key);
            Reply valid = api.transfer(key, alice, bob, 10, "EUR");

            assertThat(invalid.problem(400)).isEqualTo("invalid_request");
            assertThat(valid.status()).isEqualTo(201);
            assertThat(valid.header("Idempotent-Replayed")).isEmpty();
            assertThat(api.balance(bob)).isEqualTo(10);
        }

        @Test
        void theSameKeyWhileTheFirstRequestStillRunsIs409IdempotencyKeyInUse() throws Exception {
            String alice = funded("alice", "EUR", 100);
            String bob = unique("bob");
            api.openAccount(bob, "EUR", false);
            String key = Api.newKey();
            CountDownLatch locked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // Holds alice's row, so the first request takes its key and then waits for the account.
            CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> service.transactions().execute(c -> {
                try (var lock = c.prepareStatement("SELECT 1 FROM ledger_account WHERE code = ? FOR UPDATE")) {
                    lock.setString(1, alice);
                    lock.executeQuery().close();
                }
                locked.countDown();
                await(release);
                return null;
            }), THREADS);
            assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Reply> first = CompletableFuture.supplyAsync(() -> api.transfer(key, alice, bob, 10, "EUR"), THREADS);
            awaitWaitingForALock();

            Reply meanwhile = api.transfer(key, alice, bob, 10, "EUR");
            release.countDown();
            holder.get(30, TimeUnit.SECONDS);
            Reply firstReply = first.get(30, TimeUnit.SECONDS);
            Reply after = api.transfer(key, alice, bob, 10, "EUR");

            assertThat(meanwhile.problem(409)).isEqualTo("idempotency_key_in_use");
            assertThat(meanwhile.header("Retry-After")).hasValue("1");
            assertThat(firstReply.status()).isEqualTo(201);
            assertThat(after.status()).isEqualTo(201);
            assertThat(after.header("Idempotent-Replayed")).hasValue("true");
            assertThat(after.body()).isEqualTo(firstReply.body());
            assertThat(api.balance(bob)).isEqualTo(10);
        }

        private static void awaitWaitingForALock() {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    service.transactions().execute(c -> {
                        try (var count = c.prepareStatement(
                                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
                                var rows = count.executeQuery()) {
                            rows.next();
                            return rows.getInt(1) > 0;
                        }
                    }));
        }
    }

    @Nested
    class Listings {

        @Test
        void listsAnAccountsTransfersNewestFirstInStablePages() {
            String world = unique("world");
            String alice = unique("alice");
            String bob = unique("bob");
            api.openAccount(world, "EUR", true);
            api.openAccount(alice, "EUR", false);
            api.openAccount(bob, "EUR", false);
            assertThat(api.transfer(world, bob, 1000, "EUR").status()).isEqualTo(201);
            List<Long> ids = new ArrayList<>();
            for (int i = 1; i <= 7; i++) {
                Reply transfer = api.transfer(i % 2 == 0 ? world : bob, alice, i, "EUR");
                assertThat(transfer.status()).isEqualTo(201);
                ids.addFirst(transfer.json().path("id").asLong());
                assertThat(api.transfer(world, bob, 5, "EUR").status()).isEqualTo(201);
            }

            Reply first = api.get("/v1/accounts/" + alice + "/transfers?limit=3");
            api.transfer(alice, bob, 1, "EUR");
            Reply second = api.get("/v1/accounts/" + alice + "/transfers?limit=3&after=" + first.json().path("next").asText());
            api.transfer(world, alice, 1, "EUR");
            Reply third = api.get("/v1/accounts/" + alice + "/transfers?after=" + second.json().path("next").asText() + "&limit=3");

            assertThat(first.status()).isEqualTo(200);
            assertThat(idsOf(first)).isEqualTo(ids.subList(0, 3));
            assertThat(idsOf(second)).isEqualTo(ids.subList(3, 6));
            assertThat(idsOf(third)).isEqualTo(ids.subList(6, 7));
            assertThat(third.json().path("next").isNull()).isTrue();
            JsonNode newest = first.json().path("items").get(0);
            assertThat(api.get("/v1/transfers/" + newest.path("id").asLong()).json()).isEqualTo(newest);
        }

        @Test
        void listsAtMostFiftyByDefaultAndUpToAHundred() {
            String world = unique("world");
            String alice = unique("alice");
            api.openAccount(world, "EUR", true);
            api.openAccount(alice, "EUR", false);
            for (int i = 0; i < 101; i++) {
                api.transfer(world, alice, 1, "EUR");
            }

            Reply byDefault = api.get("/v1/accounts/" + alice + "/transfers");
            Reply hundred = api.get("/v1/accounts/" + alice + "/transfers?limit=100");
            Reply rest = api.get("/v1/accounts/" + alice + "/transfers?limit=100&after=" + hundred.json().path("next").asText());

            assertThat(byDefault.json().path("items")).hasSize(50);
            assertThat(hundred.json().path("items")).hasSize(100);
            assertThat(rest.json().path("items")).hasSize(1);
            assertThat(rest.json().path("next").isNull()).isTrue();
        }

        @Test
        void anAccountWithoutTransfersListsNone() {
            String alice = unique("alice");
            api.openAccount(alice, "EUR", false);

            Reply reply = api.get("/v1/accounts/" + alice + "/transfers");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().path("items")).isEmpty();
            assertThat(reply.json().path("next").isNull()).isTrue();
        }

        @ParameterizedTest
        @ValueSource(strings = {"limit=0", "limit=101", "limit=-1", "limit=abc", "limit=", "limit=1.5", "limit=1&limit=2",
                "limit=0000000000010", "after=", "after=garbage!", "after=AAAAAAAAAAA", "after=1", "page=2", "Limit=5"})
        void aBadQueryIs400(String query) {
            String alice = unique("alice");
            api.openAccount(alice, "EUR", false);

            Reply reply = api.get("/v1/accounts/" + alice + "/transfers?" + query);

            assertThat(reply.problem(400)).isEqualTo("invalid_request");
        }

        @Test
        void anUnknownAccountHasNoListing() {
            assertThat(api.get("/v1/accounts/" + unique("nobody") + "/transfers").problem(404)).isEqualTo("account_not_found");
        }

        private static List<Long> idsOf(Reply page) {
            List<Long> ids = new ArrayList<>();
            page.json().path("items").forEach(item -> ids.add(item.path("id").asLong()));
            return ids;
        }
    }

    /** The same rules for every path of both routes: a trailing slash names nothing, any other method is a 405. */
    @Nested
    class Routing {

        @ParameterizedTest
        @ValueSource(strings = {"/v1/accounts/", "/v1/accounts/{code}/", "/v1/accounts/{code}/transfers/",
                "/v1/transfers/", "/v1/transfers/{id}/"})
        void aPathWithAnEmptySegmentIs404NotFoundForEveryMethod(String template) {
            String code = unique("slash");
            String world = unique("world");
            api.openAccount(code, "EUR", false);
            api.openAccount(world, "EUR", true);
            long id = api.transfer(world, code, 100, "EUR").json().path("id").asLong();
            String path = template.replace("{code}", code).replace("{id}", Long.toString(id));

            for (String method : List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "FOO")) {
                Reply reply = api.method(method, path);
                assertThat(reply.status()).as("%s %s", method, path).isEqualTo(404);
                if (!method.equals("HEAD")) {
                    assertThat(reply.problem(404)).as("%s %s", method, path).isEqualTo("not_found");
                    assertThat(reply.detail()).isEqualTo("no resource at this path");
                }
            }
        }

        /** Jetty refuses a path with two slashes in a row as ambiguous, before any route sees it. */
        @ParameterizedTest
        @ValueSource(strings = {"/v1/accounts//{code}", "/v1/accounts/{code}//", "/v1/transfers//1", "/v1//accounts"})
        void twoSlashesInARowAre400(String template) {
            String code = unique("slashes");
            api.openAccount(code, "EUR", false);
            String path = template.replace("{code}", code);

            for (String method : List.of("GET", "POST", "PATCH")) {
                Reply reply = api.method(method, path);
                assertThat(reply.problem(400)).as("%s %s", method, path).isEqualTo("invalid_request");
            }
        }

        @Test
        void aPostWithATrailingSlashCreatesNothing() {
            String code = unique("slash");
            String world = unique("world");
            api.openAccount(world, "EUR", true);

            Reply account = api.post("/v1/accounts/", """
                    {"code":"%s","currency":"EUR"}""".formatted(code));
            api.openAccount(code, "EUR", false);
            Reply transfer = api.post("/v1/transfers/", """
                    {"from":"%s","to":"%s","amount":5,"currency":"EUR"}""".formatted(world, code),
                    "Idempotency-Key", Api.newKey());

            assertThat(account.problem(404)).isEqualTo("not_found");
            assertThat(transfer.problem(404)).isEqualTo("not_found");
            assertThat(api.balance(code)).isZero();
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', textBlock = """
                /v1/accounts                  | POST      | PATCH, FOO, GET, PUT, DELETE, OPTIONS, TRACE
                /v1/accounts/{code}           | GET, HEAD | PATCH, FOO, POST, PUT, DELETE, OPTIONS, TRACE
                /v1/accounts/{code}/transfers | GET, HEAD | PATCH, FOO, POST, PUT, DELETE, OPTIONS, TRACE
                /v1/transfers                 | POST      | PATCH, FOO, GET, PUT, DELETE, OPTIONS, TRACE
                /v1/transfers/{id}            | GET, HEAD | PATCH, FOO, POST, PUT, DELETE, OPTIONS, TRACE
                """)
        void everyOtherMethodIs405WithTheAllowedOnes(String template, String allowed, String refused) {
            String code = unique("methods");
            String world = unique("world");
            api.openAccount(code, "EUR", false);
            api.openAccount(world, "EUR", true);
            long id = api.transfer(world, code, 100, "EUR").json().path("id").asLong();
            String path = template.replace("{code}", code).replace("{id}", Long.toString(id));

            for (String method : refused.split(", ")) {
                Reply reply = api.method(method, path, "Idempotency-Key", Api.newKey());
                assertThat(reply.problem(405)).as("%s %s", method, path).isEqualTo("method_not_allowed");
                assertThat(reply.header("Allow")).as("%s %s", method, path).hasValue(allowed);
                assertThat(reply.detail()).isEqualTo("%s is not allowed here; allowed: %s".formatted(method, allowed));
            }
            assertThat(api.balance(code)).isEqualTo(100);
        }

        @Test
        void headAnswersLikeGetWithoutABody() {
            String code = unique("head");
            api.openAccount(code, "EUR", false);

            Reply head = Api.raw(service.httpPort(), "HEAD /v1/accounts/" + code + " HTTP/1.1", new byte[0]);

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
            assertThat(head.body()).isEmpty();
        }
    }

    /** The payloads of the {@code transfer.created} outbox events of one transfer. */
    static List<JsonNode> eventsOf(long transferId) {
        return service.transactions().execute(c -> {
            List<JsonNode> payloads = new ArrayList<>();
            try (var select = c.prepareStatement("""
                    SELECT payload::text FROM outbox_events
                    WHERE type = 'transfer.created' AND (payload ->> 'id')::bigint = ?""")) {
                select.setLong(1, transferId);
                try (var rows = select.executeQuery()) {
                    while (rows.next()) {
                        payloads.add(JSON.readTree(rows.getString(1)));
                    }
                }
            } catch (JsonProcessingException e) {
                throw new AssertionError(e);
            }
            return payloads;
        });
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
