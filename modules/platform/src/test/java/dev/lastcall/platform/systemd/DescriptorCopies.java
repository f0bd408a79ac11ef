package dev.lastcall.platform.systemd;

import java.io.IOException;

/** For tests outside this package: a second descriptor for a socket, such as a successor holds. */
public final class DescriptorCopies {

    private static final int ABOVE_THE_STANDARD_ONES = 10;

    private DescriptorCopies() {}

    public static int duplicate(int fd) throws IOException {
        return Libc.duplicateAtOrAbove(fd, ABOVE_THE_STANDARD_ONES);
    }

    public static void close(int fd) throws IOException {
        Libc.close(fd);
    }
}
