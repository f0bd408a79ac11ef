package dev.lastcall.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints (does not assert) the median time from {@code java -jar} to ready, from SIGTERM to exit
 * with an idle server, and the resident memory at ready, over N runs.
 *
 * <p>Run with {@code ./lastcall bench start-stop [runs]}.
 */
public final class StartStopBenchmark {

    private StartStopBenchmark() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        List<String> extraJvmOptions = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
        List<Double> ready = new ArrayList<>();
        List<Double> stop = new ArrayList<>();
        List<Double> rss = new ArrayList<>();
        Path state = Files.createTempDirectory("lastcall-bench");
        System.out.printf("start-stop: %d runs of %s %s%n", runs, ServiceProcess.jar(), String.join(" ", extraJvmOptions));
        for (int run = 1; run <= runs; run++) {
            ServiceProcess.Builder builder = ServiceProcess.builder().stateDir(state).quiet().label("bench");
            extraJvmOptions.forEach(builder::jvmOption);
            long begin = System.nanoTime();
            try (ServiceProcess service = builder.start()) {
                service.awaitReady();
                double readySeconds = (service.nanosOfLine("ready in ") - begin) / 1e9;
                double rssMb = residentMegabytes(service.pid());
                long term = System.nanoTime();
                service.terminate();
                int status = service.awaitExit(Duration.ofSeconds(60));
                double stopSeconds = (System.nanoTime() - term) / 1e9;
                ready.add(readySeconds);
                stop.add(stopSeconds);
                rss.add(rssMb);
                System.out.printf("run %2d: ready %.3f s, stop %.3f s (exit %d), rss at ready %.0f MB%n",
                        run, readySeconds, stopSeconds, status, rssMb);
            }
        }
        System.out.printf("median of %d: java -jar to ready %.3f s, SIGTERM to exit %.3f s, rss at ready %.0f MB%n",
                runs, median(ready), median(stop), median(rss));
    }

    private static double residentMegabytes(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return -1;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
