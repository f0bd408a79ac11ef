package dev.lastcall.app;

import dev.lastcall.platform.process.ReloadOutcome;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code java -jar lastcall.jar reload PID}: asks the service running as {@code PID} for a hot
 * handover (SIGHUP) and waits for its outcome, so that systemd's {@code ExecReload=} (and so
 * {@code systemctl reload}) fails when the reload failed. Exit status 0 when a successor took
 * over, 1 when the reload failed (the old process serves on), 2 for a bad command line.
 */
final class Reload {

    /** Above the service's own wait for its successor (120 s), below the unit's TimeoutSec. */
    private static final Duration OUTCOME_WAIT = Duration.ofSeconds(150);

    private Reload() {}

    static int run(String... args) throws IOException, InterruptedException {
        if (args.length != 1 || !args[0].matches("\\d+")) {
            System.err.println("usage: java -jar lastcall.jar reload PID");
            return 2;
        }
        long pid = Long.parseLong(args[0]);
        ReloadOutcome.ask(pid);
        int kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).inheritIO().start().waitFor();
        if (kill != 0) {
            ReloadOutcome.withdraw(pid);
            System.err.println("lastcall reload: cannot signal process " + pid);
            return 1;
        }
        Optional<String> outcome = ReloadOutcome.await(pid, OUTCOME_WAIT);
        if (outcome.isEmpty()) {
            System.err.println("lastcall reload: no outcome from process %d within %ds".formatted(pid, OUTCOME_WAIT.toSeconds()));
            return 1;
        }
        boolean ok = ReloadOutcome.isSuccess(outcome.get());
        (ok ? System.out : System.err).println("lastcall reload: " + outcome.get());
        return ok ? 0 : 1;
    }
}
