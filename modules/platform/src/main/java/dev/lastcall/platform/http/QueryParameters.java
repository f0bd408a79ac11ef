package dev.lastcall.platform.http;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The query parameters of a request that takes exactly {@code known} ones, each at most once:
 * {@code QueryParameters.of(request, "limit", "after")}. Every refusal is a 400
 * {@code invalid_request} whose detail names the parameter.
 */
public final class QueryParameters {

    private final Map<String, String[]> values;
    private final List<String> known;

    private QueryParameters(Map<String, String[]> values, List<String> known) {
        this.values = values;
        this.known = known;
    }

    /** @throws ProblemException 400 for a parameter not in {@code known}, or one given more than once */
    public static QueryParameters of(HttpServletRequest request, String... known) {
        return of(request.getParameterMap(), known);
    }

    static QueryParameters of(Map<String, String[]> values, String... known) {
        List<String> names = List.of(known);
        for (Map.Entry<String, String[]> parameter : values.entrySet()) {
            if (!names.contains(parameter.getKey())) {
                throw ProblemException.badRequest("unknown query parameter '%s'; known: %s"
                        .formatted(parameter.getKey(), String.join(", ", names)));
            }
            if (parameter.getValue().length > 1) {
                throw ProblemException.badRequest("query parameter '%s' is given %d times; give it once"
                        .formatted(parameter.getKey(), parameter.getValue().length));
            }
        }
        return new QueryParameters(Map.copyOf(values), names);
    }

    public Optional<String> single(String name) {
        if (!known.contains(name)) {
            throw new IllegalArgumentException("'%s' is not one of the known parameters %s".formatted(name, known));
        }
        String[] given = values.get(name);
        return given == null ? Optional.empty() : Optional.of(given[0]);
    }

    /**
     * A page size: a decimal integer from 1 to {@code max}, {@code defaultLimit} when absent.
     *
     * @throws ProblemException 400 for anything else
     */
    public int limit(String name, int defaultLimit, int max) {
        Optional<String> value = single(name);
        if (value.isEmpty()) {
            return defaultLimit;
        }
        String digits = value.get();
        // At most as many digits as max has, so parseInt cannot overflow and "0000010" is refused.
        if (!digits.matches("[0-9]+") || digits.length() > Integer.toString(max).length()) {
            throw limitOutOfRange(name, max);
        }
        int limit = Integer.parseInt(digits);
        if (limit < 1 || limit > max) {
            throw limitOutOfRange(name, max);
        }
        return limit;
    }

    /**
     * The id in a {@link Cursor} from an earlier page, empty when absent.
     *
     * @throws ProblemException 400 for anything that is not such a cursor
     */
    public OptionalLong cursor(String name) {
        Optional<String> value = single(name);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        OptionalLong id = Cursor.decode(value.get());
        if (id.isEmpty()) {
            throw ProblemException.badRequest(
                    "query parameter '%s' must be a cursor from the 'next' member of an earlier page".formatted(name));
        }
        return id;
    }

    private static ProblemException limitOutOfRange(String name, int max) {
        return ProblemException.badRequest("query parameter '%s' must be an integer from 1 to %d".formatted(name, max));
    }
}
