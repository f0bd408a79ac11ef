package dev.lastcall.platform.http.internal;

import dev.lastcall.platform.http.RouteTemplate;
import dev.lastcall.platform.http.Routes.Route;
import java.util.Collection;
import java.util.Optional;
import org.eclipse.jetty.http.pathmap.MatchedResource;
import org.eclipse.jetty.http.pathmap.PathMappings;
import org.eclipse.jetty.http.pathmap.ServletPathSpec;

/**
 * The name of the route that serves a path, with few values whatever clients send: the template
 * the path matches ({@code /v1/accounts/{code}}), else the route's path spec ({@code
 * /v1/accounts/*}), matched by the servlet rules the context uses.
 */
final class RouteNames {

    private final PathMappings<Route> routes = new PathMappings<>();

    RouteNames(Collection<Route> routes) {
        for (Route route : routes) {
            this.routes.put(new ServletPathSpec(route.pathSpec()), route);
        }
    }

    /** The route's name for a path in the context, or empty where no route serves it. */
    Optional<String> of(String pathInContext) {
        MatchedResource<Route> matched = routes.getMatched(pathInContext);
        if (matched == null) {
            return Optional.empty();
        }
        Route route = matched.getResource();
        return Optional.of(route.templates().stream()
                .filter(template -> template.matches(pathInContext))
                .map(RouteTemplate::template)
                .findFirst()
                .orElse(route.pathSpec()));
    }
}
