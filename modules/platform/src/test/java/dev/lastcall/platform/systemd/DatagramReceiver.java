package dev.lastcall.platform.systemd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A Unix datagram socket the test binds, standing where systemd's notification socket would. */
final class DatagramReceiver implements AutoCloseable {

    private final int fd;
    private final String address;

    private DatagramReceiver(int fd, String address) {
        this.fd = fd;
        this.address = address;
    }

    static DatagramReceiver atPath(Path path) {
        int fd = NativeSockets.socket(NativeSockets.AF_UNIX, NativeSockets.SOCK_DGRAM);
        NativeSockets.bindUnix(fd, path.toString(), false);
        return new DatagramReceiver(fd, path.toString());
    }

    /** An abstract socket with a fresh name, so tests running side by side do not meet. */
    static DatagramReceiver abstractNamed() {
        String name = "lastcall-test-" + UUID.randomUUID();
        int fd = NativeSockets.socket(NativeSockets.AF_UNIX, NativeSockets.SOCK_DGRAM);
        NativeSockets.bindUnix(fd, name, true);
        return new DatagramReceiver(fd, "@" + name);
    }

    /** What {@code NOTIFY_SOCKET} says to reach this receiver. */
    String address() {
        return address;
    }

    Optional<String> next(Duration timeout) {
        return NativeSockets.receive(fd, timeout);
    }

    /** Every datagram until none has come for {@code quiet}. */
    List<String> drain(Duration quiet) {
        List<String> received = new ArrayList<>();
        for (Optional<String> next = next(quiet); next.isPresent(); next = next(quiet)) {
            received.add(next.get());
        }
        return received;
    }

    @Override
    public void close() {
        NativeSockets.close(fd);
    }
}
