package dev.lastcall.app.load;

import dev.lastcall.app.BenchmarkArguments;
import dev.lastcall.app.BenchmarkDirectory;

/**
 * Prints (asserts nothing) what a chaos run found. {@code ./lastcall bench chaos [KILLS] [CLIENTS]}
 * kills the service KILLS times (default 100) under CLIENTS clients (default 16), restarting
 * PostgreSQL once every 25 kills (at least 2); {@code ./lastcall bench chaos storm [CYCLES]} starts
 * and stops it CYCLES times (default 200) with SIGTERM or SIGINT at random moments.
 */
public final class ChaosBenchmark {

    private static final String USAGE = """
            ./lastcall bench chaos [KILLS] [CLIENTS]
                   ./lastcall bench chaos storm [CYCLES]""";

    private ChaosBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchmarkDirectory work = BenchmarkDirectory.create("lastcall-chaos");
        long seed = Long.getLong("lastcall.seed", System.nanoTime());
        System.out.println("seed " + seed + " (-Dlastcall.seed to repeat), working in " + work.path());
        boolean clean;
        if (args.length > 0 && args[0].equals("storm")) {
            BenchmarkArguments arguments = new BenchmarkArguments(USAGE, java.util.Arrays.copyOfRange(args, 1, args.length), 1);
            int cycles = arguments.positive(0, "CYCLES", 200);
            SignalStorm.Result result = new SignalStorm(work.path(), cycles, 4, seed).run();
            System.out.println(result.summary());
            result.brokenOff().forEach(b -> System.out.println("  broken off: " + b));
            clean = result.disobeyed().isEmpty() && result.brokenOff().isEmpty();
        } else {
            BenchmarkArguments arguments = new BenchmarkArguments(USAGE, args, 2);
            int kills = arguments.positive(0, "KILLS", 100);
            int clients = arguments.positive(1, "CLIENTS", 16);
            ChaosHarness.Result result = new ChaosHarness(work.path(), kills, Math.max(2, kills / 25), clients, seed).run();
            System.out.println(result.summary());
            result.startProblems().forEach(p -> System.out.println("  start problem: " + p));
            result.roundViolations().forEach(v -> System.out.println("  round check: " + v));
            clean = result.startProblems().isEmpty() && result.roundViolations().isEmpty()
                    && result.ledger().violations().isEmpty() && result.orphanRows() == 0 && result.eventsNotDelivered() == 0
                    && !result.failuresByKind().containsKey("HTTP 500");
        }
        if (clean) {
            work.delete();
        } else {
            System.out.println("logs and database kept in " + work.path());
        }
    }
}
