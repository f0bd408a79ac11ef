package dev.lastcall.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonMediaTypeTest {

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "APPLICATION/JSON", "application/json; charset=utf-8",
            "application/json;charset=UTF-8", "application/json; charset=\"utf-8\"", "application/json;", " application/json "})
    void acceptsJsonInUtf8(String contentType) {
        assertThat(JsonMediaType.refusal(List.of(contentType))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json; charset=bogus", "application/json; charset=@@@", "application/json; charset=utf-16",
            "application/json; charset", "application/json; foo=bar", "application/jsonx", "text/plain", "",
            "application/json, text/plain", "application/json; charset=utf-8; charset=bogus", "application/json; charset=\""})
    void refusesAnythingElseWithoutThrowing(String contentType) {
        assertThat(JsonMediaType.refusal(List.of(contentType))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void refusesNoneOrTwoContentTypes(int count) {
        assertThat(JsonMediaType.refusal(java.util.Collections.nCopies(count, "application/json"))).isPresent();
    }
}
