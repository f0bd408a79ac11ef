package dev.lastcall.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A benchmark's scratch directory (databases, logs) under the system's temp directory. */
public record BenchmarkDirectory(Path path) {

    public static BenchmarkDirectory create(String prefix) throws IOException {
        return new BenchmarkDirectory(Files.createTempDirectory(prefix));
    }

    public void delete() throws IOException {
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path each : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(each);
            }
        }
    }
}
