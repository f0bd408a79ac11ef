package dev.lastcall.platform.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "req-42", "0f8e6c3a-1b2c-4d5e-8f90-123456789abc", "svc.api:7_x-Y"})
    void aValidIdIsKept(String id) {
        assertThat(RequestId.fromHeaders(List.of(id))).isEqualTo(new RequestId(id));
    }

    @Test
    void oneHundredTwentyEightCharactersAreTheMost() {
        assertThat(RequestId.fromHeaders(List.of("x".repeat(128))).value()).isEqualTo("x".repeat(128));
        assertThat(RequestId.fromHeaders(List.of("x".repeat(129))).value()).isNotEqualTo("x".repeat(129));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "two words", "line\r\nbreak", "quote\"", "{json}", "naïve", "a/b", "a=b"})
    void anInvalidIdIsReplacedByANewOne(String id) {
        RequestId replaced = RequestId.fromHeaders(List.of(id));

        assertThat(replaced.value()).isNotEqualTo(id).matches("[0-9a-f-]{36}");
    }

    @Test
    void noIdOrTwoGetANewOneEachTime() {
        RequestId first = RequestId.fromHeaders(List.of());

        assertThat(first.value()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(RequestId.fromHeaders(List.of())).isNotEqualTo(first);
        assertThat(RequestId.fromHeaders(List.of("a", "b")).value()).isNotIn("a", "b");
    }
}
