package dev.lastcall.platform.http;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * A path as the API's contract names it, {@code /v1/accounts/{code}/transfers}: literal segments,
 * and {@code {name}} for any one non-empty segment.
 */
public record RouteTemplate(String template) {

    public RouteTemplate {
        if (!template.startsWith("/") || segments(template).anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("route template '" + template + "' is not a path of non-empty segments");
        }
    }

    static List<RouteTemplate> allUnder(String pathSpec, String... templates) {
        String prefix = pathSpec.endsWith("/*") ? pathSpec.substring(0, pathSpec.length() - 2) : pathSpec;
        return Arrays.stream(templates).map(RouteTemplate::new).peek(template -> {
            boolean covered = pathSpec.endsWith("/*")
                    ? template.template().equals(prefix) || template.template().startsWith(prefix + "/")
                    : template.template().equals(pathSpec);
            if (!covered) {
                throw new IllegalArgumentException("route template '" + template.template()
                        + "' is outside its path spec '" + pathSpec + "'");
            }
        }).toList();
    }

    /** Whether the (decoded) path is one this template names. */
    public boolean matches(String path) {
        String[] expected = template.substring(1).split("/", -1);
        String[] actual = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[] {""};
        if (expected.length != actual.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            boolean variable = expected[i].startsWith("{") && expected[i].endsWith("}");
            if (actual[i].isEmpty() || !(variable || expected[i].equals(actual[i]))) {
                return false;
            }
        }
        return true;
    }

    private static Stream<String> segments(String template) {
        return Arrays.stream(template.substring(1).split("/", -1));
    }
}
