package dev.lastcall.platform.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathSegmentsTest {

    @Test
    void theServletsOwnPathHasNoSegments() {
        assertThat(PathSegments.of((String) null)).isEmpty();
    }

    @Test
    void splitsThePathBelowTheServletAtEachSlash() {
        assertThat(PathSegments.of("/alice")).containsExactly("alice");
        assertThat(PathSegments.of("/alice/transfers")).containsExactly("alice", "transfers");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/alice/", "/alice/transfers/", "//alice", "/alice//transfers", "//"})
    void aPathWithAnEmptySegmentIsNotFound(String pathInfo) {
        ProblemException problem = catchThrowableOfType(ProblemException.class, () -> PathSegments.of(pathInfo));

        assertThat(problem).as(pathInfo).isNotNull();
        assertThat(problem.problem()).isEqualTo(
                Problem.of(404, "not_found", "Not Found", "no resource at this path"));
    }
}
