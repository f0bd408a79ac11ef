package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

    record Transfer(long amount, String currency, boolean urgent) {}

    record Boxed(Long amount, Integer count, Boolean urgent, Double rate) {}

    record Tagged(String name, List<String> tags, Instant at) {}

    private final ObjectMapper mapper = StrictJson.mapper();

    @Test
    void readsAWellTypedBody() throws JsonProcessingException {
        Transfer transfer = mapper.readValue("""
                {"amount": 100, "currency": "EUR", "urgent": true}""", Transfer.class);

        assertThat(transfer).isEqualTo(new Transfer(100, "EUR", true));
    }

    @Test
    void readsTheLargestAndSmallestLong() throws JsonProcessingException {
        assertThat(mapper.readValue("""
                {"amount": 9223372036854775807, "currency": "EUR", "urgent": false}""", Transfer.class).amount())
                .isEqualTo(Long.MAX_VALUE);
        assertThat(mapper.readValue("""
                {"amount": -9223372036854775808, "currency": "EUR", "urgent": false}""", Transfer.class).amount())
                .isEqualTo(Long.MIN_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // a string, a fraction, an exponent or a boolean is not a long
        "{\"amount\": \"100\", \"currency\": \"EUR\", \"urgent\": true}",
        "{\"amount\": 1.5, \"currency\": \"EUR\", \"urgent\": true}",
        "{\"amount\": 1.0, \"currency\": \"EUR\", \"urgent\": true}",
        "{\"amount\": 1e3, \"currency\": \"EUR\", \"urgent\": true}",
        "{\"amount\": true, \"currency\": \"EUR\", \"urgent\": true}",
        "{\"amount\": \"\", \"currency\": \"EUR\", \"urgent\": true}",
        // a number or a boolean is not a string
        "{\"amount\": 1, \"currency\": 12, \"urgent\": true}",
        "{\"amount\": 1, \"currency\": 1.5, \"urgent\": true}",
        "{\"amount\": 1, \"currency\": true, \"urgent\": true}",
        // a string or a number is not a boolean
        "{\"amount\": 1, \"currency\": \"EUR\", \"urgent\": \"true\"}",
        "{\"amount\": 1, \"currency\": \"EUR\", \"urgent\": 1}",
        "{\"amount\": 1, \"currency\": \"EUR\", \"urgent\": 0.0}",
        // structure
        "{\"amount\": 1, \"currency\": \"EUR\", \"urgent\": true, \"foo\": 1}",
        "{\"amount\": 1, \"amount\": 2, \"currency\": \"EUR\", \"urgent\": true}",
        "{\"amount\": 1, \"currency\": \"EUR\", \"urgent\": true} {}",
        "{\"amount\": 1, \"currency\": \"EUR\", \"urgent\": true} x",
        "{\"amount\": 9223372036854775808, \"currency\": \"EUR\", \"urgent\": true}",
        "{\"amount\": -9223372036854775809, \"currency\": \"EUR\", \"urgent\": true}",
        "{\"amount\": null, \"currency\": \"EUR\", \"urgent\": true}",
        "{\"amount\": 1, \"currency\": \"EUR\", \"urgent\": null}",
        "{\"amount\": [1], \"currency\": \"EUR\", \"urgent\": true}",
        "[{\"amount\": 1, \"currency\": \"EUR\", \"urgent\": true}]",
    })
    void refusesWhatJacksonWouldCoerceOrIgnore(String body) {
        assertThatThrownBy(() -> mapper.readValue(body, Transfer.class)).isInstanceOf(JsonProcessingException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"amount\": \"100\"}",
        "{\"amount\": 1.5}",
        "{\"count\": \"7\"}",
        "{\"count\": 2.5}",
        "{\"count\": 4294967296}",
        "{\"urgent\": \"false\"}",
        "{\"urgent\": 0}",
        "{\"rate\": \"1.5\"}",
        "{\"rate\": true}",
    })
    void refusesCoercionsIntoBoxedTypesToo(String body) {
        assertThatThrownBy(() -> mapper.readValue(body, Boxed.class)).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void acceptsAnIntegerWhereAFractionIsExpected() throws JsonProcessingException {
        assertThat(mapper.readValue("{\"rate\": 2}", Boxed.class).rate()).isEqualTo(2.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"name\": \"a\", \"tags\": \"solo\"}",
        "{\"name\": \"a\", \"tags\": [1, 2]}",
        "{\"name\": [\"a\"]}",
        "{\"name\": {\"first\": \"a\"}}",
    })
    void refusesAScalarWhereAnArrayBelongsAndTheReverse(String body) {
        assertThatThrownBy(() -> mapper.readValue(body, Tagged.class)).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void writesInstantsAsText() throws JsonProcessingException {
        String json = mapper.writeValueAsString(new Tagged("a", List.of(), Instant.parse("2025-01-02T03:04:05Z")));

        assertThat(json).contains("\"at\":\"2025-01-02T03:04:05Z\"");
    }
}
