package dev.lastcall.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lastcall.platform.http.ProblemException;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeyTest {

    private static IdempotencyKey parse(String... values) {
        return IdempotencyKey.from(Collections.enumeration(List.of(values)));
    }

    private static String codeOf(Runnable parse) {
        try {
            parse.run();
        } catch (ProblemException e) {
            assertThat(e.problem().status()).isEqualTo(400);
            return e.problem().code();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void acceptsOneToTwoHundredFiftyFiveVisibleAsciiCharacters() {
        assertThat(parse("a").value()).isEqualTo("a");
        assertThat(parse("!~").value()).isEqualTo("!~");
        assertThat(parse("k".repeat(255)).value()).hasSize(255);
    }

    @Test
    void aMissingOrEmptyKeyIsRequired() {
        assertThat(codeOf(() -> parse())).isEqualTo("idempotency_key_required");
        assertThat(codeOf(() -> parse(""))).isEqualTo("idempotency_key_required");
        assertThat(codeOf(() -> IdempotencyKey.from(null))).isEqualTo("idempotency_key_required");
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "a b", "tab\t", "caf\u00e9", "\u0000", "del\u007f"})
    void refusesInvisibleOrNonAsciiCharacters(String key) {
        assertThat(codeOf(() -> parse(key))).isEqualTo("invalid_request");
    }

    @Test
    void refusesAnOverlongKeyAndTwoKeys() {
        assertThat(codeOf(() -> parse("k".repeat(256)))).isEqualTo("invalid_request");
        assertThat(codeOf(() -> parse("a", "b"))).isEqualTo("invalid_request");
        assertThatThrownBy(() -> parse("a", "a")).isInstanceOf(ProblemException.class);
    }
}
