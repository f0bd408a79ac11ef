package dev.lastcall.platform.systemd;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code System.out} and {@code System.err} (and so the log) writing after an inherited
 * listener closes. The JDK's channel from {@link System#inheritedChannel()} was made for inetd,
 * where stdin, stdout and stderr are all the socket: when it closes, it puts /dev/null on file
 * descriptors 0, 1 and 2. Under systemd, 1 and 2 are the journal, and the shutdown report comes
 * after the listener closes. So before taking the channel, both streams move to copies of 1 and 2
 * that the JDK does not know about.
 */
final class StandardStreams {

    private static final Logger log = LoggerFactory.getLogger(StandardStreams.class);
    private static final int STDOUT = 1;
    private static final int STDERR = 2;
    private static final int BUFFER_SIZE = 8192;

    private static boolean moved;

    private StandardStreams() {}

    static synchronized void moveOffStandardDescriptors() {
        if (moved) {
            return;
        }
        moved = true;
        System.setOut(copyOf(System.out, STDOUT));
        System.setErr(copyOf(System.err, STDERR));
    }

    private static PrintStream copyOf(PrintStream stream, int fd) {
        try {
            int copy = Libc.duplicate(fd);
            stream.flush();
            return new PrintStream(new BufferedOutputStream(new DescriptorOutputStream(copy), BUFFER_SIZE),
                    true, stream.charset());
        } catch (Libc.Failure e) {
            log.warn("systemd: cannot copy file descriptor {} ({}); what is written there is lost once the listener closes",
                    fd, e.getMessage());
            return stream;
        }
    }
}
