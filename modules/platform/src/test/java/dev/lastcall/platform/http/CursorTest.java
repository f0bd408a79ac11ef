package dev.lastcall.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 255, 256, 1L << 40, Long.MAX_VALUE})
    void decodesWhatItEncodes(long id) {
        assertThat(Cursor.decode(Cursor.encode(id))).hasValue(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "AAAAAAAAAAA", "gAAAAAAAAAA", "AAAAAAAAAAE=", "AAAAAAAAAAE ", "AAAAAAAAAAEA",
            "!!!!!!!!!!!", "AAAAAAAAAA+", "AAAAAAAAAAF"})
    void refusesWhatItDidNotMake(String cursor) {
        assertThat(Cursor.decode(cursor)).isEmpty();
    }

    @Test
    void isOpaqueAndUrlSafe() {
        assertThat(Cursor.encode(42)).matches("[A-Za-z0-9_-]{11}").doesNotContain("42");
    }
}
