package dev.lastcall.platform.systemd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The few Linux libc calls systemd's protocols need, through the FFM API. Every call that fails
 * throws a {@link Failure} with the errno and its text. Constants are Linux's (x86-64 and arm64
 * agree on all of them); the callers check {@link #isLinux()} first.
 */
@SuppressWarnings("restricted") // native access is what this class is for
final class Libc {

    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_TYPE = 3;
    static final int SO_ACCEPTCONN = 30;
    static final int SO_DOMAIN = 39;
    static final int SO_ATTACH_FILTER = 26;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int ENOTSOCK = 88;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int WNOHANG = 1;
    /** Lowest descriptor {@link #duplicate} hands out: above stdin, stdout, stderr. */
    private static final int FIRST_FREE_FD = 3;

    private static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // One holder class per call, so that a handle is made (which is slow: it spins code) only when
    // its call is first used; a start without systemd uses none.
    private static final class Socket { static final MethodHandle CALL = call("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT)); }
    private static final class SendTo { static final MethodHandle CALL = call("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT)); }
    private static final class Write { static final MethodHandle CALL = call("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG)); }
    private static final class Close { static final MethodHandle CALL = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT)); }
    private static final class Dup2 { static final MethodHandle CALL = call("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)); }
    private static final class Fcntl { static final MethodHandle CALL = call("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2)); }
    private static final class GetSockOpt { static final MethodHandle CALL = call("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS)); }
    private static final class SetSockOpt { static final MethodHandle CALL = call("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)); }
    private static final class StrError { static final MethodHandle CALL = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT)); }
    private static final class SocketPair { static final MethodHandle CALL = call("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS)); }
    private static final class Read { static final MethodHandle CALL = call("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG)); }
    private static final class GetSockName { static final MethodHandle CALL = call("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS)); }
    private static final class WaitPid { static final MethodHandle CALL = call("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT)); }

    /** A libc call that returned -1. */
    static final class Failure extends IOException {

        private final int errno;

        Failure(String call, int errno) {
            super("%s: %s (errno %d)".formatted(call, describe(errno), errno));
            this.errno = errno;
        }

        int errno() {
            return errno;
        }
    }

    private Libc() {}

    static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    static int socket(int domain, int type) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) Socket.CALL.invokeExact(state, domain, type, 0);
            return (int) checked("socket", fd, state);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    static long sendto(int fd, MemorySegment message, int flags, MemorySegment address) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long sent = (long) SendTo.CALL.invokeExact(state, fd, message, message.byteSize(), flags, address,
                    (int) address.byteSize());
            return checked("sendto", sent, state);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** Writes all of {@code bytes}, retrying after signals and short writes. */
    static void writeFully(int fd, MemorySegment bytes) throws Failure {
        long done = 0;
        while (done < bytes.byteSize()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CALL_STATE);
                MemorySegment rest = bytes.asSlice(done);
                long written = (long) Write.CALL.invokeExact(state, fd, rest, rest.byteSize());
                if (written < 0 && errno(state) == EINTR) {
                    continue;
                }
                done += checked("write", written, state);
            } catch (Throwable t) {
                throw rethrown(t);
            }
        }
    }

    static void close(int fd) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) Close.CALL.invokeExact(state, fd);
            checked("close(" + fd + ")", result, state);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** Makes {@code target} a copy of {@code source}, closing what {@code target} was. */
    static void dup2(int source, int target) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) Dup2.CALL.invokeExact(state, source, target);
            checked("dup2(%d, %d)".formatted(source, target), result, state);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** A new close-on-exec descriptor, 3 or above, for the same open file as {@code fd}. */
    static int duplicate(int fd) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int copy = (int) Fcntl.CALL.invokeExact(state, fd, F_DUPFD_CLOEXEC, FIRST_FREE_FD);
            return (int) checked("fcntl(%d, F_DUPFD_CLOEXEC)".formatted(fd), copy, state);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** A new close-on-exec descriptor, {@code lowest} or above, for the same open file as {@code fd}. */
    static int duplicateAtOrAbove(int fd, int lowest) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int copy = (int) Fcntl.CALL.invokeExact(state, fd, F_DUPFD_CLOEXEC, lowest);
            return (int) checked("fcntl(%d, F_DUPFD_CLOEXEC, %d)".formatted(fd, lowest), copy, state);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** Two connected close-on-exec Unix stream sockets. */
    static int[] socketPair() throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int result = (int) SocketPair.CALL.invokeExact(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
            checked("socketpair", result, state);
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** Reads up to {@code max} bytes, blocking; an empty array at end of file. */
    static byte[] read(int fd, int max) throws Failure {
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CALL_STATE);
                MemorySegment buffer = arena.allocate(max);
                long count = (long) Read.CALL.invokeExact(state, fd, buffer, (long) max);
                if (count < 0 && errno(state) == EINTR) {
                    continue;
                }
                checked("read(" + fd + ")", count, state);
                return buffer.asSlice(0, count).toArray(JAVA_BYTE);
            } catch (Throwable t) {
                throw rethrown(t);
            }
        }
    }

    /** The port a TCP socket is bound to (IPv4 or IPv6: the port sits at the same offset in both). */
    static int localPort(int fd) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment address = arena.allocate(128, 8);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, 128);
            int result = (int) GetSockName.CALL.invokeExact(state, fd, address, length);
            checked("getsockname(" + fd + ")", result, state);
            return Short.toUnsignedInt(Short.reverseBytes(address.get(JAVA_SHORT, 2)));
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /**
     * Reaps child {@code pid} if it has exited: its exit status (128 + the signal if a signal
     * ended it), or -1 while it still runs.
     */
    static int reapIfExited(int pid) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment status = arena.allocate(JAVA_INT);
            int result = (int) WaitPid.CALL.invokeExact(state, pid, status, WNOHANG);
            checked("waitpid(" + pid + ")", result, state);
            if (result == 0) {
                return -1;
            }
            int raw = status.get(JAVA_INT, 0);
            return (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** An {@code int} socket option of {@code fd} at level SOL_SOCKET. */
    static int socketOption(int fd, int option) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int) JAVA_INT.byteSize());
            int result = (int) GetSockOpt.CALL.invokeExact(state, fd, SOL_SOCKET, option, value, length);
            checked("getsockopt(%d, %d)".formatted(fd, option), result, state);
            return value.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** Sets socket option {@code option} of {@code fd} at level SOL_SOCKET to {@code value}'s bytes. */
    static void setSocketOption(int fd, int option, MemorySegment value) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int result = (int) SetSockOpt.CALL.invokeExact(state, fd, SOL_SOCKET, option, value, (int) value.byteSize());
            checked("setsockopt(%d, %d)".formatted(fd, option), result, state);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    static long checked(String call, long result, MemorySegment state) throws Failure {
        if (result < 0) {
            throw new Failure(call, errno(state));
        }
        return result;
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static String describe(int errno) {
        try {
            MemorySegment text = (MemorySegment) StrError.CALL.invokeExact(errno);
            return text.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            return "error " + errno;
        }
    }

    static MethodHandle call(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor, all);
    }

    static Failure rethrown(Throwable t) {
        if (t instanceof Failure failure) {
            return failure;
        }
        if (t instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException("unexpected from a native call", t);
    }
}
