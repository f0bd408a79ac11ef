package dev.lastcall.app.testing;

import com.google.inject.AbstractModule;
import dev.lastcall.app.Extension;
import dev.lastcall.platform.http.Routes;
import dev.lastcall.platform.lifecycle.ManagedBinder;
import dev.lastcall.platform.lifecycle.Phase;

/**
 * Test-only additions to the real jar, found through ServiceLoader when the test classes are on
 * the class path: a slow-body route, a route that fails with an exception, and components whose start or stop misbehave when the system
 * property {@code lastcall.test.component} names them ({@code slow-start}, {@code hang-start},
 * {@code hang-stop}).
 */
public final class TestExtension extends AbstractModule implements Extension {

    @Override
    protected void configure() {
        Routes.of(binder()).serve("/test/echo", EchoServlet.class).serve("/test/fail", FailingServlet.class);
        String component = System.getProperty("lastcall.test.component", "");
        switch (component) {
            case "slow-start" -> ManagedBinder.of(binder()).manage(Phase.WORKERS, new MisbehavingComponent.SlowStart());
            case "hang-start" -> ManagedBinder.of(binder()).manage(Phase.WORKERS, new MisbehavingComponent.HangingStart());
            case "hang-stop" -> ManagedBinder.of(binder()).manage(Phase.WORKERS, new MisbehavingComponent.HangingStop());
            case "" -> { }
            default -> throw new IllegalArgumentException("unknown lastcall.test.component " + component);
        }
    }
}
