package dev.lastcall.platform.process;

import java.util.Map;

/** Every platform thread's full stack, as one text for one log line. */
final class ThreadDump {

    private ThreadDump() {}

    static String ofAllThreads() {
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
