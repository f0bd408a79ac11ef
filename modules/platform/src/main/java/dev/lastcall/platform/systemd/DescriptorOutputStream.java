package dev.lastcall.platform.systemd;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Writes to a raw file descriptor, which {@code java.io} cannot open by number. */
final class DescriptorOutputStream extends OutputStream {

    private final int fd;

    DescriptorOutputStream(int fd) {
        this.fd = fd;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(length);
            MemorySegment.copy(bytes, offset, buffer, JAVA_BYTE, 0, length);
            Libc.writeFully(fd, buffer);
        }
    }
}
