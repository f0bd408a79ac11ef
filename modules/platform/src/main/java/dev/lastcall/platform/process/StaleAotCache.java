package dev.lastcall.platform.process;

import dev.lastcall.platform.lifecycle.ExitStatus;
import dev.lastcall.platform.systemd.ProcessImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An AOT cache trained for another jar. JDK 25.0.3 does not notice that the jar changed: it runs
 * the classes it cached from the old jar next to the new jar's others. A cache counts as trained
 * for the jar when it was written after the jar was last put in place: after the jar's status
 * change time, which installing, copying, moving and even {@code cp -p} set to now. A stale cache
 * makes the process start again, same pid, with {@code -XX:AOTMode=off}: slower, never old code.
 */
public final class StaleAotCache {

    /** What {@link #withoutCache} adds, so that a reload's successor can try a cache trained since. */
    static final String MARK = "-Dlastcall.aotCache=stale";
    static final String OFF = "-XX:AOTMode=off";
    private static final String CACHE = "-XX:AOTCache=";
    private static final Path COMMAND_LINE = Path.of("/proc/self/cmdline");
    private static final String DELETED = " (deleted)";

    private StaleAotCache() {}

    /** Main's first call: replaces this JVM by one without the cache when the cache is stale, else returns. */
    public static void restartWithoutIfStale() {
        List<String> argv;
        try {
            argv = commandLine();
        } catch (IOException | RuntimeException e) {
            if (System.getProperty("os.name", "").equals("Linux")) {
                System.err.println("lastcall: cannot tell whether the AOT cache is stale: " + e.getMessage());
            }
            return; // elsewhere: no /proc, and no systemd units either
        }
        Optional<String> stale = staleness(argv, Path.of("").toAbsolutePath());
        if (stale.isEmpty()) {
            return;
        }
        System.err.println("lastcall: " + stale.get() + "; starting again without it (train it again: ./lastcall train-aot)");
        System.err.flush();
        try {
            ProcessImage.replaceWith(withoutCache(argv));
        } catch (IOException | RuntimeException e) {
            System.err.println("lastcall: cannot start again without the stale AOT cache: " + e.getMessage());
            System.exit(ExitStatus.START_FAILED.code());
        }
    }

    /** Why the cache {@code argv} names is stale; empty when none is named, it is missing, switched off, or newer than the jar. */
    static Optional<String> staleness(List<String> argv, Path directory) {
        int jar = argv.indexOf("-jar");
        if (jar < 0 || jar + 1 >= argv.size() || argv.subList(0, jar).contains(OFF)) {
            return Optional.empty();
        }
        Optional<String> cache = argv.subList(0, jar).reversed().stream()
                .filter(option -> option.startsWith(CACHE)).findFirst().map(option -> option.substring(CACHE.length()));
        if (cache.isEmpty()) {
            return Optional.empty();
        }
        Path cacheFile = directory.resolve(cache.get());
        Path jarFile = directory.resolve(argv.get(jar + 1));
        try {
            FileTime trained = Files.getLastModifiedTime(cacheFile);
            FileTime placed = (FileTime) Files.getAttribute(jarFile, "unix:ctime");
            return placed.compareTo(trained) > 0
                    ? Optional.of("the AOT cache %s was written before %s was put in place".formatted(cacheFile, jarFile))
                    : Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty(); // a missing cache: the JVM says so and runs without it
        }
    }

    /**
     * {@code argv} with the cache switched off, marked as switched off here: last among the JVM's
     * options, so that no earlier one (an argument file's) switches it on again.
     */
    static List<String> withoutCache(List<String> argv) {
        List<String> without = new ArrayList<>(argv);
        without.addAll(argv.indexOf("-jar"), List.of(MARK, OFF));
        return without;
    }

    /** {@code argv} without what {@link #withoutCache} added: a cache trained since may be used. */
    static List<String> withCacheAgain(List<String> argv) {
        List<String> with = new ArrayList<>(argv);
        int mark = with.indexOf(MARK);
        if (mark >= 0 && mark + 1 < with.size() && with.get(mark + 1).equals(OFF)) {
            with.subList(mark, mark + 2).clear();
        }
        return with;
    }

    /** This JVM's own argv, options included, as it was started; argv[0] a path to a java binary. */
    static List<String> commandLine() throws IOException {
        String all = new String(Files.readAllBytes(COMMAND_LINE), StandardCharsets.UTF_8);
        List<String> argv = Arrays.asList(all.split("\0"));
        if (argv.isEmpty() || argv.getFirst().isEmpty()) {
            throw new IOException("cannot read this process's command line from " + COMMAND_LINE);
        }
        return withBinary(argv, ProcessHandle.current().info().command());
    }

    /**
     * argv with a program that finds this JVM's JDK again: argv[0] as given when it is a path
     * (/opt/lastcall/jdk/bin/java: the JDK the link names now, so a reload picks up a JDK
     * upgraded behind it), this JVM's own binary when it is a bare "java" found on a PATH that may
     * name another JDK. The binary is the kernel's /proc/self/exe, links resolved, with " (deleted)"
     * once the file was replaced.
     */
    static List<String> withBinary(List<String> argv, Optional<String> executable) {
        List<String> command = new ArrayList<>(argv);
        if (!argv.getFirst().contains("/")) {
            executable.map(binary -> binary.endsWith(DELETED) ? binary.substring(0, binary.length() - DELETED.length()) : binary)
                    .ifPresent(binary -> command.set(0, binary));
        }
        return command;
    }
}
