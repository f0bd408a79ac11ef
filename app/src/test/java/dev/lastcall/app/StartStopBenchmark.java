package dev.lastcall.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Prints (does not assert) the median time from {@code java -jar} to ready, from SIGTERM to exit
 * with an idle server, and the memory at ready (the JVM's RSS, the embedded PostgreSQL's PSS), over N runs.
 *
 * <p>Run with {@code ./lastcall bench start-stop [runs]}.
 */
public final class StartStopBenchmark {

    private static final String USAGE = "./lastcall bench start-stop [RUNS] [JVM-OPTIONS...]";

    private StartStopBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchmarkArguments arguments = new BenchmarkArguments(USAGE, args, Integer.MAX_VALUE);
        int runs = arguments.positive(0, "RUNS", 10);
        List<String> extraJvmOptions = arguments.from(1);
        List<Double> ready = new ArrayList<>();
        List<Double> stop = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        List<Double> postgres = new ArrayList<>();
        BenchmarkDirectory state = BenchmarkDirectory.create("lastcall-bench");
        System.out.printf("start-stop: %d runs of %s %s%n", runs, ServiceProcess.jar(), String.join(" ", extraJvmOptions));
        for (int run = 1; run <= runs; run++) {
            ServiceProcess.Builder builder = ServiceProcess.builder().stateDir(state.path()).quiet().label("bench");
            extraJvmOptions.forEach(builder::jvmOption);
            long begin = System.nanoTime();
            try (ServiceProcess service = builder.start()) {
                service.awaitReady();
                double readySeconds = (service.nanosOfLine("ready in ") - begin) / 1e9;
                double rssMb = megabytes(service.pid(), "status", "VmRSS:");
                double postgresMb = embeddedPostgresMegabytes(state.path());
                long term = System.nanoTime();
                service.terminate();
                int status = service.awaitExit(Duration.ofSeconds(60));
                double stopSeconds = (System.nanoTime() - term) / 1e9;
                ready.add(readySeconds);
                stop.add(stopSeconds);
                rss.add(rssMb);
                postgres.add(postgresMb);
                System.out.printf("run %2d: ready %.3f s, stop %.3f s (exit %d), at ready: java rss %.0f MB, "
                        + "embedded postgres pss %.0f MB%n", run, readySeconds, stopSeconds, status, rssMb, postgresMb);
            }
        }
        state.delete();
        System.out.printf("median of %d: java -jar to ready %.3f s, SIGTERM to exit %.3f s, at ready: java rss %.0f MB, "
                + "embedded postgres pss %.0f MB%n", runs, median(ready), median(stop), median(rss), median(postgres));
    }

    /** The embedded server daemonizes, so it is found by its pid file, not among the JVM's children. */
    private static double embeddedPostgresMegabytes(Path stateDir) throws java.io.IOException {
        long postmaster = Long.parseLong(Files.readAllLines(stateDir.resolve("postgres/data/postmaster.pid")).getFirst().strip());
        return Stream.concat(Stream.of(postmaster), ProcessHandle.of(postmaster).stream()
                        .flatMap(ProcessHandle::descendants).map(ProcessHandle::pid))
                .mapToDouble(pid -> megabytes(pid, "smaps_rollup", "Pss:")).sum();
    }

    /** A size in kB from a /proc file of the process, in MB; 0 when the process is gone. */
    private static double megabytes(long pid, String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/" + file))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException e) {
            return 0;
        }
        return 0;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
