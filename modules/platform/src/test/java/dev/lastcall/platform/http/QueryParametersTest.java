package dev.lastcall.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueryParametersTest {

    private static QueryParameters query(String... nameValuePairs) {
        Map<String, String[]> values = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            String name = nameValuePairs[i];
            String value = nameValuePairs[i + 1];
            values.merge(name, new String[] {value}, (first, second) -> new String[] {first[0], second[0]});
        }
        return QueryParameters.of(values, "limit", "after");
    }

    private static String badRequest(Executable call) {
        ProblemException problem = catchThrowableOfType(ProblemException.class, call::execute);
        assertThat(problem).isNotNull();
        assertThat(problem.problem().status()).isEqualTo(400);
        assertThat(problem.problem().code()).isEqualTo("invalid_request");
        return problem.problem().detail();
    }

    @Test
    void anUnknownParameterIsRefusedNamingItAndTheKnownOnes() {
        assertThat(badRequest(() -> query("page", "2"))).isEqualTo("unknown query parameter 'page'; known: limit, after");
        assertThat(badRequest(() -> query("Limit", "5"))).contains("'Limit'");
    }

    @Test
    void aParameterGivenTwiceIsRefused() {
        assertThat(badRequest(() -> query("limit", "1", "limit", "2")))
                .isEqualTo("query parameter 'limit' is given 2 times; give it once");
    }

    @Test
    void aSingleValueIsItsValueAndAnAbsentOneIsEmpty() {
        assertThat(query("after", "x").single("after")).hasValue("x");
        assertThat(query().single("after")).isEmpty();
    }

    @Test
    void askingForAParameterThatWasNotDeclaredIsAProgrammingError() {
        assertThatThrownBy(() -> query().single("page")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLimitIsTheDefaultWhenAbsentAndItsValueFromOneToMax() {
        assertThat(query().limit("limit", 50, 100)).isEqualTo(50);
        assertThat(query("limit", "1").limit("limit", 50, 100)).isEqualTo(1);
        assertThat(query("limit", "100").limit("limit", 50, 100)).isEqualTo(100);
        assertThat(query("limit", "010").limit("limit", 50, 100)).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "101", "-1", "+5", "abc", "", "1.5", " 5", "0000000000010", "99999999999", "\u0665"})
    void aLimitOutsideOneToMaxIsRefused(String value) {
        assertThat(badRequest(() -> query("limit", value).limit("limit", 50, 100)))
                .isEqualTo("query parameter 'limit' must be an integer from 1 to 100");
    }

    @Test
    void aCursorIsTheIdItWasMadeFrom() {
        assertThat(query("after", Cursor.encode(42)).cursor("after")).hasValue(42);
        assertThat(query().cursor("after")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage!", "AAAAAAAAAAA", "1"})
    void anythingElseAsACursorIsRefused(String value) {
        assertThat(badRequest(() -> query("after", value).cursor("after")))
                .isEqualTo("query parameter 'after' must be a cursor from the 'next' member of an earlier page");
    }
}
