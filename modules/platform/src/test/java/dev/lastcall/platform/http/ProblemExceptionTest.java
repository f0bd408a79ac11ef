package dev.lastcall.platform.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProblemExceptionTest {

    @Test
    void methodNotAllowedNamesTheMethodAndListsTheAllowedOnes() {
        ProblemException problem = ProblemException.methodNotAllowed("PATCH", "GET", "HEAD", "DELETE");

        assertThat(problem.problem()).isEqualTo(Problem.of(405, "method_not_allowed", "Method Not Allowed",
                "PATCH is not allowed here; allowed: GET, HEAD, DELETE"));
        assertThat(problem.allow()).containsExactly("GET", "HEAD", "DELETE");
        assertThat(problem.retryAfter()).isEmpty();
    }

    @Test
    void otherProblemsAllowNothingInParticular() {
        assertThat(ProblemException.notFound().allow()).isEmpty();
        assertThat(ProblemException.badRequest("no").allow()).isEmpty();
        assertThat(new ProblemException(Problem.of(503, "service_unavailable", "Service Unavailable", null),
                Duration.ofSeconds(1)).allow()).isEmpty();
    }
}
