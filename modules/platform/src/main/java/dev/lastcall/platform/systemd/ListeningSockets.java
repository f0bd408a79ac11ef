package dev.lastcall.platform.systemd;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's listening sockets by port: the JDK tells no channel's descriptor number. */
public final class ListeningSockets {

    private static final Path DESCRIPTORS = Path.of("/proc/self/fd");

    private ListeningSockets() {}

    /** The descriptor of this process's listening TCP socket on {@code port}. */
    public static int descriptorOf(int port) throws IOException {
        try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(DESCRIPTORS)) {
            for (Path entry : descriptors) {
                int fd = Integer.parseInt(entry.getFileName().toString());
                if (isListeningOn(entry, fd, port)) {
                    return fd;
                }
            }
        }
        throw new IOException("no listening socket on port %d among this process's descriptors".formatted(port));
    }

    private static boolean isListeningOn(Path entry, int fd, int port) {
        try {
            return Files.readSymbolicLink(entry).toString().startsWith("socket:")
                    && Libc.socketOption(fd, Libc.SO_ACCEPTCONN) != 0
                    && Libc.socketOption(fd, Libc.SO_DOMAIN) != Libc.AF_UNIX
                    && Libc.localPort(fd) == port;
        } catch (IOException gone) {
            return false;
        }
    }
}
