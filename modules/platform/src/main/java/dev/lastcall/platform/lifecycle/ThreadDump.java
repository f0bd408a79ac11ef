package dev.lastcall.platform.lifecycle;

import java.util.Map;

/**
 * Every platform thread's full stack as one text: for the log when a stop hangs, and for the admin
 * port's {@code /threads}.
 */
public final class ThreadDump {

    private ThreadDump() {}

    public static String ofAllThreads() {
        StringBuilder dump = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
            Thread thread = entry.getKey();
            dump.append('"').append(thread.getName()).append("\" ")
                    .append(thread.isDaemon() ? "daemon " : "")
                    .append(thread.getState()).append('\n');
            for (StackTraceElement frame : entry.getValue()) {
                dump.append("    at ").append(frame).append('\n');
            }
        }
        return dump.toString();
    }
}
