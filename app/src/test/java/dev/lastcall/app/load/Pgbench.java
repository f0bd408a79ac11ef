package dev.lastcall.app.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code pgbench} against the benchmark's PostgreSQL: a script from this package's resources, at a
 * given number of clients for a fixed time ({@code -n -M prepared -j 2}), with p50 and p99 from its
 * per-transaction logs. The first run of each script prints its command line.
 */
final class Pgbench {

    private static final Path EXECUTABLE = Path.of(System.getProperty("lastcall.pgbench", "/usr/lib/postgresql/15/bin/pgbench"));
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");

    /** One run: transactions committed per second, their latency, and how many failed. */
    record Result(double tps, double p50Millis, double p99Millis, long failures) {}

    private final int port;
    private final Path work;
    private final Duration duration;
    private final Set<String> scriptsShown = new HashSet<>();
    private int runs;

    private Pgbench(int port, Path work, Duration duration) {
        this.port = port;
        this.work = work;
        this.duration = duration;
    }

    /** pgbench for the server on {@code port}; empty, said so, when there is none. */
    static Optional<Pgbench> find(int port, Path work, Duration duration) {
        if (!Files.isExecutable(EXECUTABLE)) {
            System.out.println("pgbench: not found at " + EXECUTABLE + " (set -Dlastcall.pgbench); skipped");
            return Optional.empty();
        }
        return Optional.of(new Pgbench(port, work, duration));
    }

    /** Runs {@code script} with {@code variables} ({@code -D}); empty, with pgbench's output printed, when it failed. */
    Optional<Result> run(String script, int clients, Map<String, Long> variables) throws IOException, InterruptedException {
        Path file = work.resolve(script);
        if (!Files.exists(file)) {
            try (InputStream in = Pgbench.class.getResourceAsStream(script)) {
                Files.write(file, in.readAllBytes());
            }
        }
        Path logs = Files.createDirectories(work.resolve("pgbench-" + ++runs));
        List<String> command = new ArrayList<>(List.of(EXECUTABLE.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-U", "postgres", "-n", "-M", "prepared", "-c", Integer.toString(clients), "-j", "2",
                "-T", Long.toString(duration.toSeconds())));
        new TreeMap<>(variables).forEach((name, value) -> command.addAll(List.of("-D", name + "=" + value)));
        command.addAll(List.of("-f", file.toString(), "-l", "--log-prefix=" + logs.resolve("log"), "postgres"));
        if (scriptsShown.add(script)) {
            System.out.println("pgbench: " + String.join(" ", command));
        }
        Process pgbench = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String output = new String(pgbench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = pgbench.waitFor();
        Matcher tps = TPS.matcher(output);
        if (status != 0 || !tps.find()) {
            System.out.println("pgbench failed (exit " + status + "):\n" + output);
            return Optional.empty();
        }
        Matcher failed = FAILED.matcher(output);
        double[] latency = percentiles(logs);
        return Optional.of(new Result(Double.parseDouble(tps.group(1)), latency[0], latency[1],
                failed.find() ? Long.parseLong(failed.group(1)) : 0));
    }

    /** p50 and p99 in milliseconds from pgbench's per-transaction logs (third field: latency in microseconds). */
    private static double[] percentiles(Path logs) throws IOException {
        long[] micros;
        try (Stream<Path> files = Files.list(logs)) {
            micros = files.flatMap(file -> {
                try {
                    return Files.readAllLines(file).stream();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).mapToLong(line -> Long.parseLong(line.split(" ")[2])).sorted().toArray();
        }
        if (micros.length == 0) {
            return new double[] {0, 0};
        }
        return new double[] {micros[micros.length / 2] / 1000.0, micros[(int) Math.min(micros.length - 1, micros.length * 0.99)] / 1000.0};
    }
}
