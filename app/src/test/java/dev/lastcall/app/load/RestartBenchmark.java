package dev.lastcall.app.load;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prints (asserts nothing) what clients saw while the service was restarted under load.
 *
 * <p>Run with {@code ./lastcall bench restarts [RESTARTS] [CLIENTS] [SCENARIO]}, SCENARIO being
 * {@code two-instances} (default) or {@code held-socket}.
 */
public final class RestartBenchmark {

    private RestartBenchmark() {}

    public static void main(String[] args) throws Exception {
        int restarts = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        String scenario = args.length > 2 ? args[2] : "two-instances";
        Path work = Files.createTempDirectory("lastcall-restarts");
        RestartHarness harness = new RestartHarness(work, Path.of(System.getProperty("lastcall.repository", ".")),
                restarts, clients);
        RestartHarness.Result result = switch (scenario) {
            case "two-instances" -> harness.twoInstancesBehindNginx();
            case "held-socket" -> harness.heldSocketBehindNginx();
            default -> throw new IllegalArgumentException("unknown scenario " + scenario + " (two-instances, held-socket)");
        };
        System.out.println(result.summary());
        result.failures().stream().limit(20).forEach(f -> System.out.println("failure: " + f.what()));
    }
}
