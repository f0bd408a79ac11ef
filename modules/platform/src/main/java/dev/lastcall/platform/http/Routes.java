package dev.lastcall.platform.http;

import com.google.inject.Binder;
import com.google.inject.Injector;
import com.google.inject.Provider;
import com.google.inject.multibindings.Multibinder;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServlet;

/**
 * How a module contributes HTTP routes: {@code Routes.of(binder()).serve("/v1/accounts/*",
 * AccountsServlet.class)}. Path specs follow the servlet rules ({@code /exact}, {@code /prefix/*}).
 * A servlet may throw {@link ProblemException}; anything else it throws becomes a logged 500.
 */
public final class Routes {

    /** One servlet at one path. */
    public record Route(String pathSpec, HttpServlet servlet) {}

    private final Multibinder<Route> routes;

    private Routes(Binder binder) {
        this.routes = Multibinder.newSetBinder(binder, Route.class);
    }

    public static Routes of(Binder binder) {
        return new Routes(binder);
    }

    public Routes serve(String pathSpec, Class<? extends HttpServlet> servlet) {
        routes.addBinding().toProvider(new RouteProvider(pathSpec, servlet));
        return this;
    }

    private static final class RouteProvider implements Provider<Route> {

        private final String pathSpec;
        private final Class<? extends HttpServlet> servlet;
        @Inject
        private Injector injector;

        RouteProvider(String pathSpec, Class<? extends HttpServlet> servlet) {
            this.pathSpec = pathSpec;
            this.servlet = servlet;
        }

        @Override
        public Route get() {
            return new Route(pathSpec, injector.getInstance(servlet));
        }
    }
}
