package dev.lastcall.platform.systemd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * Replaces this process's program with another ({@code execv}): same pid, same open descriptors
 * (the sockets systemd passed, the handover's channel), same environment, so that systemd's
 * {@code MAINPID} and {@code LISTEN_PID} still name it. Descriptors the JVM opened without
 * close-on-exec (the jar's) stay open in the new program too: a few, once. (Here and not in {@code
 * process} because it is a libc call, and {@link Libc} is this package's.)
 */
@SuppressWarnings("restricted") // native access is what this class is for
public final class ProcessImage {

    private static final int SIG_SETMASK = 2;
    /** glibc's sigset_t: 1024 bits. */
    private static final long SIGSET_BYTES = 128;

    private static final class Execv { static final MethodHandle CALL = Libc.call("execv", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS)); }
    /** Returns an error number rather than setting errno. */
    private static final class SigMask { static final MethodHandle CALL = Libc.call("pthread_sigmask",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS)); }

    private ProcessImage() {}

    /**
     * Runs {@code argv[0]} (an absolute path) with {@code argv} in place of this JVM; returns only
     * by throwing, when the kernel refused. The JVM blocks signals in some threads; the new program
     * starts with none blocked, as a process systemd started would.
     */
    public static void replaceWith(List<String> argv) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Libc.CALL_STATE);
            int unblocked = (int) SigMask.CALL.invokeExact(state, SIG_SETMASK, arena.allocate(SIGSET_BYTES, 8), MemorySegment.NULL);
            if (unblocked != 0) {
                throw new Libc.Failure("pthread_sigmask", unblocked);
            }
            MemorySegment pointers = arena.allocate(ADDRESS, argv.size() + 1L);
            for (int i = 0; i < argv.size(); i++) {
                pointers.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
            }
            pointers.setAtIndex(ADDRESS, argv.size(), MemorySegment.NULL);
            int result = (int) Execv.CALL.invokeExact(state, arena.allocateFrom(argv.getFirst()), pointers);
            Libc.checked("execv " + argv.getFirst(), result, state);
            throw new IllegalStateException("execv returned " + result);
        } catch (Throwable t) {
            throw Libc.rethrown(t);
        }
    }
}
