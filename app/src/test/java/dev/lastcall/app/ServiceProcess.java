package dev.lastcall.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The real fat jar as a real process: started with java, stopped with real signals. */
public final class ServiceProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("ready in [0-9.?]+s: http on port (\\d+), admin on port (\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    /** The state directory this object made for the process, none when the test gave one. */
    private final Optional<Path> ownStateDir;
    /** The output read so far; not copy-on-write: an access log adds hundreds of lines a second. */
    private final List<Line> output = new ArrayList<>();
    private final Thread reader;
    /** Held while the output is not read, so that the service's stdout fills up and blocks. */
    private final Semaphore reading = new Semaphore(1);
    private int httpPort = -1;
    private int adminPort = -1;

    private ServiceProcess(Process process, Optional<Path> ownStateDir, String label, boolean echo, Consumer<String> onLine) {
        this.process = process;
        this.ownStateDir = ownStateDir;
        this.reader = Thread.ofPlatform().daemon().name("output-" + label).start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    reading.acquireUninterruptibly();
                    reading.release();
                    onLine.accept(line);
                    append(line);
                    if (echo) {
                        System.out.println("[" + label + "] " + line);
                    }
                }
            } catch (IOException e) {
                append("(output closed: " + e + ")");
            }
        });
    }

    private record Line(String text, long nanos) {}

    private void append(String text) {
        synchronized (output) {
            output.add(new Line(text, System.nanoTime()));
        }
    }

    private List<String> lines() {
        synchronized (output) {
            return output.stream().map(Line::text).toList();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, String> environment = new HashMap<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private boolean withTestExtension;
        private boolean shippedJvmOptions = true;
        private String aotCache = "";
        private String jar = "";
        private String javaBinary = "";
        private String label = "service";
        private boolean echo = true;
        private Consumer<String> onLine = line -> {};

        public Builder env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        public Builder stateDir(Path dir) {
            return env("LASTCALL_STATE_DIR", dir.toString());
        }

        /** Puts the test classes (and so {@code TestExtension}) on the class path. */
        public Builder withTestExtension() {
            withTestExtension = true;
            return this;
        }

        public Builder testComponent(String name) {
            withTestExtension = true;
            jvmOptions.add("-Dlastcall.test.component=" + name);
            return this;
        }

        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** Keeps the service's output to itself (it is still searchable); for benchmarks. */
        public Builder quiet() {
            echo = false;
            return this;
        }

        /** With the JDK's defaults instead of config/jvm.options (only the flags the service needs). */
        public Builder jvmDefaults() {
            shippedJvmOptions = false;
            return this;
        }

        /** {@code -XX:AOTCache=file}, as the systemd units start the jar. */
        public Builder aotCache(Path file) {
            aotCache = file.toString();
            return this;
        }

        /** The java binary to run, by this path (default: this JVM's own, or {@code -Dlastcall.java}). */
        public Builder javaBinary(Path binary) {
            javaBinary = binary.toString();
            return this;
        }

        /** Another copy of the jar than the built one. */
        public Builder jar(Path file) {
            jar = file.toString();
            return this;
        }

        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** Called with each line of output as soon as it is read, before it is searchable. */
        public Builder onLine(Consumer<String> listener) {
            onLine = listener;
            return this;
        }

        public Builder label(String value) {
            label = value;
            return this;
        }

        /** The command line: {@code java @config/jvm.options [-XX:AOTCache=…] [options] -jar lastcall.jar [args]}, as the units have it. */
        public List<String> command() {
            List<String> command = new ArrayList<>(List.of(javaBinary.isEmpty() ? java() : javaBinary));
            if (shippedJvmOptions) {
                command.add("@" + jvmOptionsFile());
            } else {
                command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
            }
            if (!aotCache.isEmpty()) {
                command.add("-XX:AOTCache=" + aotCache);
            }
            command.addAll(jvmOptions);
            if (withTestExtension) {
                command.addAll(List.of("-cp", ServiceProcess.jar() + ":" + System.getProperty("lastcall.testClasses"), Main.class.getName()));
            } else {
                command.addAll(List.of("-jar", jar.isEmpty() ? ServiceProcess.jar() : jar));
            }
            command.addAll(args);
            return command;
        }

        public ServiceProcess start() throws IOException {
            ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true);
            builder.environment().keySet().removeIf(name -> name.startsWith("LASTCALL_"));
            builder.environment().put("LASTCALL_HTTP_PORT", "0");
            builder.environment().put("LASTCALL_ADMIN_PORT", "0");
            builder.environment().putAll(environment);
            Optional<Path> ownStateDir = Optional.empty();
            if (!builder.environment().containsKey("LASTCALL_STATE_DIR")) {
                ownStateDir = Optional.of(Files.createTempDirectory("lastcall-state"));
                ownStateDir.get().toFile().deleteOnExit(); // when left empty by a test that did not close its process
                builder.environment().put("LASTCALL_STATE_DIR", ownStateDir.get().toString());
            }
            return new ServiceProcess(builder.start(), ownStateDir, label, echo, onLine);
        }
    }

    public static String jar() {
        String jar = System.getProperty("lastcall.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("system property lastcall.jar must name the built fat jar (run through mvn verify)");
        }
        return jar;
    }

    /** config/jvm.options of this checkout: the JVM options the systemd units, the launcher and these processes share. */
    public static Path jvmOptionsFile() {
        String repository = System.getProperty("lastcall.repository");
        for (Path dir = Path.of(repository != null ? repository : "").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("config/jvm.options"))) {
                return dir.resolve("config/jvm.options");
            }
        }
        throw new IllegalStateException("no config/jvm.options above " + Path.of("").toAbsolutePath());
    }

    /**
     * The JVM options the units start the jar with: {@code @config/jvm.options}, and the AOT cache
     * the launcher trained when it names one ({@code -Dlastcall.aot}, as {@code ./lastcall bench} does).
     */
    public static List<String> shippedJvmOptions() {
        List<String> options = new ArrayList<>(List.of("@" + jvmOptionsFile()));
        String aot = System.getProperty("lastcall.aot");
        if (aot != null && Files.isRegularFile(Path.of(aot))) {
            options.add("-XX:AOTCache=" + aot);
        }
        return options;
    }

    public static String java() {
        return System.getProperty("lastcall.java", ProcessHandle.current().info().command().orElse("java"));
    }

    public ServiceProcess awaitReady() throws InterruptedException {
        return awaitReady(START_TIMEOUT);
    }

    public ServiceProcess awaitReady(Duration timeout) throws InterruptedException {
        Matcher ready = awaitLine(READY, timeout);
        httpPort = Integer.parseInt(ready.group(1));
        adminPort = Integer.parseInt(ready.group(2));
        return this;
    }

    public Matcher awaitLine(String regex, Duration timeout) throws InterruptedException {
        return awaitLine(Pattern.compile(regex), timeout);
    }

    public Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            List<String> lines = lines();
            for (String line : lines) {
                Matcher matcher = pattern.matcher(line);
                if (matcher.find()) {
                    return matcher;
                }
            }
            if (!process.isAlive() && lines.stream().noneMatch(l -> pattern.matcher(l).find())) {
                Thread.sleep(100);
                if (lines().stream().noneMatch(l -> pattern.matcher(l).find())) {
                    throw new AssertionError("process exited (" + process.exitValue() + ") before a line matching "
                            + pattern + ":\n" + output());
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no line matching " + pattern + " within " + timeout + ":\n" + output());
    }

    /** When (System.nanoTime) the first line matching {@code regex} was read, or -1. */
    public long nanosOfLine(String regex) {
        Pattern pattern = Pattern.compile(regex);
        synchronized (output) {
            return output.stream().filter(l -> pattern.matcher(l.text()).find()).mapToLong(Line::nanos).findFirst().orElse(-1);
        }
    }

    /** Stops reading the service's output (after the current line): its stdout pipe fills, and then its writes block. */
    public void pauseReading() {
        reading.acquireUninterruptibly();
    }

    public void resumeReading() {
        reading.release();
    }

    /** Sends SIGTERM without a helper process, for timing. */
    public void terminate() {
        process.destroy();
    }

    public boolean hasLine(String regex) {
        Pattern pattern = Pattern.compile(regex);
        return lines().stream().anyMatch(l -> pattern.matcher(l).find());
    }

    public void signal(String name) throws IOException, InterruptedException {
        int status = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (status != 0) {
            throw new IllegalStateException("kill -s " + name + " failed: " + status);
        }
    }

    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError("still running after " + timeout + ":\n" + output());
        }
        reader.join(Duration.ofSeconds(5));
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public int httpPort() {
        return httpPort;
    }

    public int adminPort() {
        return adminPort;
    }

    public String output() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // no test starts another jar on a state directory it did not choose
        ownStateDir.ifPresent(dir -> {
            stopLeftoverPostgres(dir);
            deleteQuietly(dir);
        });
    }

    /** Deletes a directory and what it holds, as far as it can (a test's leftovers, never its outcome). */
    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // what is left stays in the temporary directory
        }
    }

    /**
     * Stops the embedded PostgreSQL a jar killed without its stop (SIGKILL, a second Ctrl-C) left
     * running in {@code stateDir}, if any.
     */
    public static void stopLeftoverPostgres(Path stateDir) {
        Optional<ProcessHandle> postgres;
        try {
            long pid = Long.parseLong(Files.readAllLines(stateDir.resolve("postgres/data/postmaster.pid")).getFirst().strip());
            postgres = ProcessHandle.of(pid).filter(p -> p.info().command().orElse("").endsWith("/postgres"));
        } catch (IOException | RuntimeException none) {
            return;
        }
        postgres.ifPresent(server -> {
            server.destroy(); // a smart shutdown: its clients died with the jar
            try {
                server.onExit().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                server.destroyForcibly();
            }
        });
    }
}
