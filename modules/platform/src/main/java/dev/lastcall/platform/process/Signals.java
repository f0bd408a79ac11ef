package dev.lastcall.platform.process;

import dev.lastcall.platform.lifecycle.ExitStatus;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * The process's SIGTERM and SIGINT handlers, installed first thing in {@code main}, before logging,
 * settings or Guice, so that the JVM's own handler (which ends the process with 128 + the signal's
 * number, 143 for SIGTERM) covers only the JVM's start. Until the {@link ShutdownCoordinator} takes
 * the signals over, nothing has started, and a signal ends the process at once with status 0.
 *
 * <p>The JDK runs each signal's handler on a thread of its own, so a handler that blocks delays no
 * other signal; the handlers here still only hand the signal on. No logger here: loading this class
 * must not start Logback.
 */
public final class Signals {

    private static final AtomicBoolean installed = new AtomicBoolean();
    private static final AtomicReference<Consumer<String>> receiver = new AtomicReference<>(Signals::beforeStart);

    private Signals() {}

    /** Installs the handlers once; later calls do nothing. */
    public static void install() {
        if (installed.compareAndSet(false, true)) {
            Signal.handle(new Signal("TERM"), signal -> receiver.get().accept(signal.getName()));
            Signal.handle(new Signal("INT"), signal -> receiver.get().accept(signal.getName()));
        }
    }

    /** From now on each signal's name ({@code TERM}, {@code INT}) goes to {@code next}. */
    static void deliverTo(Consumer<String> next) {
        install();
        receiver.set(next);
    }

    private static void beforeStart(String signal) {
        System.exit(ExitStatus.OK.code());
    }
}
