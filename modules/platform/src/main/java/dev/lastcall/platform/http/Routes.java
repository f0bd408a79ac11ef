package dev.lastcall.platform.http;

import com.google.inject.Binder;
import com.google.inject.Injector;
import com.google.inject.Provider;
import com.google.inject.multibindings.Multibinder;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;
import java.util.List;

/**
 * How a module contributes HTTP routes: {@code Routes.of(binder()).serve("/v1/accounts/*",
 * AccountsServlet.class, "/v1/accounts", "/v1/accounts/{code}")}. Path specs follow the servlet
 * rules ({@code /exact}, {@code /prefix/*}); the templates name the paths the servlet serves, a
 * {@code {name}} standing for any one segment, as the OpenAPI contract writes them. Metrics and the
 * access log report a request by its template, or by the path spec where none matches.
 * A servlet may throw {@link ProblemException}; anything else it throws becomes a logged 500.
 */
public final class Routes {

    /** One servlet at one path spec, and the templates of the paths it serves. */
    public record Route(String pathSpec, HttpServlet servlet, List<RouteTemplate> templates) {}

    private final Multibinder<Route> routes;

    private Routes(Binder binder) {
        this.routes = Multibinder.newSetBinder(binder, Route.class);
    }

    public static Routes of(Binder binder) {
        return new Routes(binder);
    }

    /** @throws IllegalArgumentException for a template that the path spec does not cover */
    public Routes serve(String pathSpec, Class<? extends HttpServlet> servlet, String... templates) {
        List<RouteTemplate> parsed = RouteTemplate.allUnder(pathSpec, templates);
        routes.addBinding().toProvider(new RouteProvider(pathSpec, servlet, parsed));
        return this;
    }

    private static final class RouteProvider implements Provider<Route> {

        private final String pathSpec;
        private final Class<? extends HttpServlet> servlet;
        private final List<RouteTemplate> templates;
        @Inject
        private Injector injector;

        RouteProvider(String pathSpec, Class<? extends HttpServlet> servlet, List<RouteTemplate> templates) {
            this.pathSpec = pathSpec;
            this.servlet = servlet;
            this.templates = templates;
        }

        @Override
        public Route get() {
            return new Route(pathSpec, injector.getInstance(servlet), templates);
        }
    }
}
