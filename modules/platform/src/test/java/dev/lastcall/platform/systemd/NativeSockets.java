package dev.lastcall.platform.systemd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Sockets the JDK cannot make (Unix datagram, unbound or non-listening ones by number), written
 * for the tests apart from the code under test: its own downcalls and its own address layout.
 */
@SuppressWarnings("restricted") // native access is what this class is for
final class NativeSockets {

    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_ATTACH_FILTER = 26;
    private static final int SO_DETACH_FILTER = 27;
    static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCKADDR_UN_SIZE = 110;
    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int LOOPBACK = 0x7f000001;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = handle("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = handle("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle RECV = handle("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = handle("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    private NativeSockets() {}

    static int socket(int domain, int type) {
        return (int) check("socket", invoke(() -> (int) SOCKET.invokeExact(domain, type, 0)));
    }

    /** Binds to 127.0.0.1 on a free port. */
    static void bindLoopback(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SOCKADDR_IN_SIZE, 8);
            address.set(JAVA_SHORT, 0, (short) AF_INET);
            address.set(JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), 4, LOOPBACK);
            check("bind", invoke(() -> (int) BIND.invokeExact(fd, address, SOCKADDR_IN_SIZE)));
        }
    }

    /** Binds a Unix socket: a path, or with {@code abstractName} a NUL and the name, of exactly that length. */
    static void bindUnix(int fd, String name, boolean abstractName) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SOCKADDR_UN_SIZE, 8);
            address.set(JAVA_SHORT, 0, (short) AF_UNIX);
            int pathStart = abstractName ? 3 : 2;
            MemorySegment.copy(bytes, 0, address, JAVA_BYTE, pathStart, bytes.length);
            int length = abstractName ? pathStart + bytes.length : SOCKADDR_UN_SIZE;
            check("bind", invoke(() -> (int) BIND.invokeExact(fd, address, length)));
        }
    }

    /** Starts connecting to 127.0.0.1:{@code port}; with a non-blocking socket it returns at once, the handshake under way. */
    static void startConnecting(int fd, int port) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SOCKADDR_IN_SIZE, 8);
            address.set(JAVA_SHORT, 0, (short) AF_INET);
            address.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
            address.set(JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), 4, LOOPBACK);
            invoke(() -> (int) CONNECT.invokeExact(fd, address, SOCKADDR_IN_SIZE)); // -1, EINPROGRESS
        }
    }

    /** A socket filter of one instruction, {@code ret #0}: the socket takes in no packet at all. */
    static void ignoreEverything(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment instruction = arena.allocate(8, 8);
            instruction.set(JAVA_SHORT, 0, (short) 0x06);
            MemorySegment program = arena.allocate(16, 8);
            program.set(JAVA_SHORT, 0, (short) 1);
            program.set(ADDRESS, 8, instruction);
            check("setsockopt", invoke(() -> (int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_ATTACH_FILTER, program, 16)));
        }
    }

    static void removeFilter(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment unused = arena.allocate(JAVA_INT);
            check("setsockopt", invoke(() -> (int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_DETACH_FILTER, unused, 4)));
        }
    }

    static void listen(int fd) {
        check("listen", invoke(() -> (int) LISTEN.invokeExact(fd, 16)));
    }

    static void close(int fd) {
        invoke(() -> (int) CLOSE.invokeExact(fd));
    }

    /** The next datagram, or empty when none comes within {@code timeout}. */
    static Optional<String> receive(int fd, Duration timeout) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timeval = arena.allocate(16, 8);
            timeval.set(JAVA_LONG, 0, timeout.toSeconds());
            timeval.set(JAVA_LONG, 8, Math.max(1, timeout.toNanosPart() / 1_000));
            check("setsockopt", invoke(() -> (int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 16)));
            MemorySegment buffer = arena.allocate(65_536);
            long length = invokeLong(() -> (long) RECV.invokeExact(fd, buffer, buffer.byteSize(), 0));
            if (length < 0) {
                return Optional.empty();
            }
            return Optional.of(new String(buffer.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
        }
    }

    private interface IntCall {
        int call() throws Throwable;
    }

    private interface LongCall {
        long call() throws Throwable;
    }

    private static int invoke(IntCall call) {
        try {
            return call.call();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static long invokeLong(LongCall call) {
        try {
            return call.call();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static long check(String call, long result) {
        if (result < 0) {
            throw new IllegalStateException(call + " failed");
        }
        return result;
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor);
    }
}
