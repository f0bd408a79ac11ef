package dev.lastcall.app.load;

import dev.lastcall.app.BenchmarkArguments;
import dev.lastcall.app.BenchmarkDirectory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Prints (asserts nothing) what clients saw while the service was restarted under load.
 *
 * <p>Run with {@code ./lastcall bench restarts [RESTARTS] [CLIENTS] [SCENARIO] [DURATION]}: SCENARIO
 * is {@code both} (default: held-socket, then two-instances), {@code held-socket}, {@code two-instances},
 * {@code held-socket-direct} (the held socket without Nginx or drain delay) or {@code reload} (hot
 * handovers on a held socket with direct clients: see {@link ReloadHarness}); DURATION (e.g. {@code 10m})
 * spreads the restarts evenly over at least that much load, where the default restarts back to back.
 */
public final class RestartBenchmark {

    private static final String USAGE = "./lastcall bench restarts [RESTARTS] [CLIENTS] [both|held-socket|two-instances|held-socket-direct|reload] [DURATION]";

    private RestartBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchmarkArguments arguments = new BenchmarkArguments(USAGE, args, 4);
        int restarts = arguments.positive(0, "RESTARTS", 10);
        int clients = arguments.positive(1, "CLIENTS", 16);
        String scenario = arguments.oneOf(2, "SCENARIO", Set.of("both", "held-socket", "two-instances", "held-socket-direct", "reload"), "both");
        Duration duration = arguments.duration(3, "DURATION", Duration.ZERO);
        Path repository = Path.of(System.getProperty("lastcall.repository", "."));
        if (scenario.equals("reload")) {
            System.out.println(reload(restarts, clients));
            return;
        }
        List<String> summaries = new ArrayList<>();
        if (scenario.equals("both") || scenario.equals("held-socket")) {
            summaries.add(run(harness -> harness.heldSocketBehindNginx(), repository, restarts, clients, duration));
        }
        if (scenario.equals("both") || scenario.equals("two-instances")) {
            summaries.add(run(harness -> harness.twoInstancesBehindNginx(), repository, restarts, clients, duration));
        }
        if (scenario.equals("held-socket-direct")) {
            summaries.add(run(harness -> harness.heldSocketDirectNoDrainDelay(), repository, restarts, clients, duration));
        }
        summaries.forEach(System.out::println);
    }

    /** The {@code reload} scenario: RESTARTS hot handovers (SIGHUP), a second of steady load between two. */
    private static String reload(int reloads, int clients) throws Exception {
        BenchmarkDirectory work = BenchmarkDirectory.create("lastcall-reloads");
        ReloadHarness.Result result = new ReloadHarness(work.path(), reloads, clients).run();
        StringBuilder summary = new StringBuilder(result.summary());
        summary.append("\nthe slowest request of the five slowest windows:").append(result.slowestTimeline());
        result.failures().stream().limit(20).forEach(f -> summary.append("\n  failure: ").append(f.what()));
        result.protocolViolations().stream().limit(5).forEach(v -> summary.append("\n  sd_notify: ").append(v));
        if (result.failures().isEmpty() && result.ledger().violations().isEmpty() && result.eventsNotDelivered() == 0
                && result.protocolViolations().isEmpty()) {
            work.delete();
        } else {
            summary.append("\n  logs and database kept in ").append(work.path());
        }
        return summary.toString();
    }

    private interface Scenario {
        RestartHarness.Result runOn(RestartHarness harness) throws Exception;
    }

    /** One scenario's summary; its directory (logs, database) is kept only when something failed. */
    private static String run(Scenario scenario, Path repository, int restarts, int clients, Duration duration)
            throws Exception {
        BenchmarkDirectory work = BenchmarkDirectory.create("lastcall-restarts");
        RestartHarness.Result result = scenario.runOn(new RestartHarness(work.path(), repository, restarts, clients, duration));
        StringBuilder summary = new StringBuilder(result.summary());
        result.failures().stream().limit(20).forEach(f -> summary.append("\n  failure: ").append(f.what()));
        if (result.failures().isEmpty() && result.ledger().violations().isEmpty() && result.eventsNotDelivered() == 0) {
            work.delete();
        } else {
            summary.append("\n  logs and database kept in ").append(work.path());
        }
        return summary.toString();
    }
}
