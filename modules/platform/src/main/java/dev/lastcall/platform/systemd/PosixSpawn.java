package dev.lastcall.platform.systemd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * {@code posix_spawn(3)} through FFM, for a child that must inherit chosen descriptors at chosen
 * numbers: {@link ProcessBuilder} closes every descriptor above 2 in the child. The child gets
 * {@code /dev/null} on stdin, this process's stdout and stderr, each {@code descriptors[i]} on
 * {@code 3 + i}, and nothing else (every other descriptor is closed, so no client connection of
 * this process stays open in the child).
 */
@SuppressWarnings("restricted")
final class PosixSpawn {

    /** glibc's sizes are smaller (80 and 336 bytes); these leave room. */
    private static final long FILE_ACTIONS_SIZE = 256;
    private static final long ATTRIBUTES_SIZE = 512;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int O_RDONLY = 0;
    private static final int STDIN = 0;
    private static final int FIRST_PASSED = 3;

    private static final MethodHandle SPAWN = Libc.call("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle ACTIONS_INIT = plain("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ACTIONS_DESTROY = plain("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ADD_DUP2 = plain("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ADD_OPEN = plain("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ADD_CLOSEFROM = plain("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = plain("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = plain("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = plain("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETSIGMASK = plain("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private PosixSpawn() {}

    /**
     * Starts {@code argv[0]} (an absolute path) with {@code argv} and {@code environment} ("NAME=value").
     *
     * @param descriptors descriptors of this process, passed as 3, 4, ...; each must be 10 or above
     * @return the child's pid
     */
    static int spawn(List<String> argv, List<String> environment, int... descriptors) throws Libc.Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(FILE_ACTIONS_SIZE, 8);
            MemorySegment attributes = arena.allocate(ATTRIBUTES_SIZE, 8);
            check("posix_spawn_file_actions_init", (int) ACTIONS_INIT.invokeExact(actions));
            check("posix_spawnattr_init", (int) ATTR_INIT.invokeExact(attributes));
            try {
                check("posix_spawn_file_actions_addopen", (int) ADD_OPEN.invokeExact(actions, STDIN,
                        arena.allocateFrom("/dev/null"), O_RDONLY, 0));
                for (int i = 0; i < descriptors.length; i++) {
                    if (descriptors[i] < FIRST_PASSED + descriptors.length) {
                        throw new IllegalArgumentException("descriptor " + descriptors[i] + " would be overwritten");
                    }
                    // dup2 onto a new number clears close-on-exec on the copy
                    check("posix_spawn_file_actions_adddup2", (int) ADD_DUP2.invokeExact(actions, descriptors[i], FIRST_PASSED + i));
                }
                check("posix_spawn_file_actions_addclosefrom_np",
                        (int) ADD_CLOSEFROM.invokeExact(actions, FIRST_PASSED + descriptors.length));
                // the child starts with no signal blocked, whatever the calling thread blocks
                check("posix_spawnattr_setsigmask", (int) ATTR_SETSIGMASK.invokeExact(attributes, arena.allocate(128, 8)));
                check("posix_spawnattr_setflags", (int) ATTR_SETFLAGS.invokeExact(attributes, POSIX_SPAWN_SETSIGMASK));
                MemorySegment pid = arena.allocate(JAVA_INT);
                MemorySegment state = arena.allocate(Libc.CALL_STATE);
                int result = (int) SPAWN.invokeExact(state, pid, arena.allocateFrom(argv.getFirst()), actions, attributes,
                        strings(arena, argv), strings(arena, environment));
                check("posix_spawn " + argv.getFirst(), result);
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) ACTIONS_DESTROY.invokeExact(actions);
                ignored = (int) ATTR_DESTROY.invokeExact(attributes);
            }
        } catch (Throwable t) {
            throw Libc.rethrown(t);
        }
    }

    /** A NULL-terminated array of C strings. */
    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    /** The posix_spawn family returns an error number instead of setting errno. */
    private static void check(String call, int result) throws Libc.Failure {
        if (result != 0) {
            throw new Libc.Failure(call, result);
        }
    }

    private static MethodHandle plain(String name, FunctionDescriptor descriptor) {
        java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().findOrThrow(name), descriptor);
    }
}
