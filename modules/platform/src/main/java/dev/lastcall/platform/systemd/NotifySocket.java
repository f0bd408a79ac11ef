package dev.lastcall.platform.systemd;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The datagram socket named by {@code NOTIFY_SOCKET}: a file system path, or an abstract name
 * written {@code @name}. Each message opens a socket, sends one datagram and closes, as
 * {@code sd_notify} does, so nothing stays open between messages.
 *
 * @param address the value of {@code NOTIFY_SOCKET}, for messages
 * @param sunPath the bytes of {@code sun_path} that count: for a path, the path and its NUL; for an
 *     abstract name, a NUL and the name
 */
record NotifySocket(String address, byte[] sunPath) {

    /** {@code sizeof(sun_path)} in Linux's {@code struct sockaddr_un}. */
    static final int SUN_PATH_SIZE = 108;
    /** {@code offsetof(struct sockaddr_un, sun_path)}: after the two-byte family. */
    static final int SUN_PATH_OFFSET = 2;

    NotifySocket {
        sunPath = sunPath.clone();
    }

    @Override
    public byte[] sunPath() {
        return sunPath.clone();
    }

    /** @throws IllegalArgumentException when {@code address} is neither an absolute path nor {@code @name}, or too long */
    static NotifySocket parse(String address) {
        byte[] sunPath;
        if (address.startsWith("@") && address.length() > 1) {
            byte[] name = address.substring(1).getBytes(StandardCharsets.UTF_8);
            sunPath = new byte[name.length + 1];
            System.arraycopy(name, 0, sunPath, 1, name.length);
        } else if (address.startsWith("/")) {
            byte[] path = address.getBytes(StandardCharsets.UTF_8);
            sunPath = new byte[path.length + 1];
            System.arraycopy(path, 0, sunPath, 0, path.length);
        } else {
            throw new IllegalArgumentException("neither an absolute path nor an abstract name (@name)");
        }
        if (sunPath.length > SUN_PATH_SIZE) {
            throw new IllegalArgumentException("longer than a Unix socket address can be (%d bytes)".formatted(SUN_PATH_SIZE));
        }
        return new NotifySocket(address, sunPath);
    }

    /** Sends {@code message} as one datagram. */
    void send(String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(SUN_PATH_OFFSET + sunPath.length, Long.BYTES);
            sockaddr.set(JAVA_SHORT, 0, (short) Libc.AF_UNIX);
            MemorySegment.copy(sunPath, 0, sockaddr, JAVA_BYTE, SUN_PATH_OFFSET, sunPath.length);
            MemorySegment datagram = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, datagram, JAVA_BYTE, 0, bytes.length);
            datagram = datagram.asSlice(0, bytes.length);
            int fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC);
            try {
                long sent = Libc.sendto(fd, datagram, Libc.MSG_NOSIGNAL, sockaddr);
                if (sent != bytes.length) {
                    throw new IOException("sendto: sent %d of %d bytes".formatted(sent, bytes.length));
                }
            } finally {
                Libc.close(fd);
            }
        }
    }
}
