package dev.lastcall.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.lastcall.platform.http.internal.StrictJson;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    /** Primitive: a missing or null amount is refused. */
    record Leg(String account, long amount) {}

    /** Boxed, so each case below fails on the one field it is about. */
    record Transfer(Long amount, String currency, Boolean urgent, List<Leg> legs) {}

    private final ObjectMapper mapper = StrictJson.mapper();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        {"foo": 1}                                  | unknown field 'foo'
        {"legs": [{"amount": 1, "extra": 1}]}       | unknown field 'legs[0].extra'
        {"amount": "100"}                           | field 'amount' must be an integer
        {"amount": 1.5}                             | field 'amount' must be an integer
        {"amount": 1e3}                             | field 'amount' must be an integer
        {"amount": true}                            | field 'amount' must be an integer
        {"legs": [{"account": "a", "amount": null}]} | field 'legs[0].amount' must be an integer
        {"legs": [{"account": "a"}]}                | field 'legs[0].amount' must be an integer
        {"currency": 12}                            | field 'currency' must be a string
        {"currency": true}                          | field 'currency' must be a string
        {"urgent": "true"}                          | field 'urgent' must be true or false
        {"urgent": 1}                               | field 'urgent' must be true or false
        {"legs": "a"}                               | field 'legs' must be an array
        {"legs": [{"amount": "5"}]}                 | field 'legs[0].amount' must be an integer
        {"amount": 9223372036854775808}             | field 'amount': number out of range
        {"legs": [{"amount": -9223372036854775809}]} | field 'legs[0].amount': number out of range
        {"amount": 1,                               | malformed JSON at line 1, column 14
        {"amount": 1, "amount": 2}                  | malformed JSON at line 1, column 23
        [1]                                         | expected a JSON object
        """)
    void describesTheProblemByFieldWithoutJavaTypes(String body, String expected) {
        JsonProcessingException e = catchThrowableOfType(JsonProcessingException.class,
                () -> mapper.readValue(body, Transfer.class));

        assertThat(e).as("refused: %s", body).isNotNull();
        String description = Json.describe(e);
        assertThat(description).isEqualTo(expected);
        assertThat(description)
                .doesNotContain("java.", "com.fasterxml", "dev.lastcall", "Transfer", "Leg", "long", "String", "Boolean")
                .doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"amount\": 1} {\"amount\": 2}", "{\"amount\": 1} 3", "\"text\"", "null x", "{\"amount\": 1}}"})
    void describesAnythingElseWithoutJavaTypes(String body) {
        JsonProcessingException e = catchThrowableOfType(JsonProcessingException.class,
                () -> mapper.readValue(body, Transfer.class));

        assertThat(e).as("refused: %s", body).isNotNull();
        assertThat(Json.describe(e))
                .doesNotContain("java.", "com.fasterxml", "dev.lastcall", "Transfer", "Long", "Trailing", "`")
                .doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Z]");
    }

    @Test
    void writesAMethodNotAllowedProblemWithItsAllowHeader() throws IOException {
        RecordingResponse recorded = new RecordingResponse();

        new Json(mapper, 1024).writeProblem(recorded.response, ProblemException.methodNotAllowed("PATCH", "GET", "HEAD"));

        assertThat(recorded.status()).isEqualTo(405);
        assertThat(recorded.headers()).containsExactly(entry("Allow", "GET, HEAD"));
        assertThat(recorded.contentType()).isEqualTo(Problem.MEDIA_TYPE);
        assertThat(mapper.readTree(recorded.body()).path("detail").asText())
                .isEqualTo("PATCH is not allowed here; allowed: GET, HEAD");
    }

    @Test
    void writesOtherProblemsWithoutAnAllowHeader() throws IOException {
        RecordingResponse recorded = new RecordingResponse();

        new Json(mapper, 1024).writeProblem(recorded.response, ProblemException.notFound());

        assertThat(recorded.status()).isEqualTo(404);
        assertThat(recorded.headers()).isEmpty();
    }
}
