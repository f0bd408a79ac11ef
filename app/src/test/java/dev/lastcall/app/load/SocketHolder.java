package dev.lastcall.app.load;

import dev.lastcall.app.ServiceProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives {@code deploy/socket_parent.py}: a parent process that holds a listening socket across
 * restarts of the real jar and hands it over on fd 3 with LISTEN_FDS, as systemd's socket unit
 * does, and reports the jar's sd_notify datagrams.
 */
final class SocketHolder implements AutoCloseable {

    private static final Duration READY_WITHIN = Duration.ofSeconds(60);
    /** Above the service's own wait for its successor (120 s), so that its verdict comes first. */
    private static final Duration HANDOVER_WITHIN = Duration.ofSeconds(300);
    private static final Pattern MAIN_PID = Pattern.compile("MAINPID=(\\d+)");

    private final Process process;
    private final OutputStream commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final int port;

    private SocketHolder(Process process) throws IOException, InterruptedException {
        this.process = process;
        this.commands = process.getOutputStream();
        Thread.ofPlatform().daemon().name("socket-holder").start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("closed " + e);
            }
        });
        this.port = Integer.parseInt(expect("listening ", READY_WITHIN).substring("listening ".length()));
    }

    static SocketHolder start(String java, String jar, Path logs, Map<String, String> environment)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3", script().toString(), java, jar, logs.toString(),
                logs.resolve("notify.sock").toString()));
        command.addAll(ServiceProcess.shippedJvmOptions());
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().keySet().removeIf(name -> name.startsWith("LASTCALL_"));
        builder.environment().putAll(environment);
        return new SocketHolder(builder.start());
    }

    private static Path script() {
        try {
            return Path.of(SocketHolder.class.getResource("/deploy/socket_parent.py").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("deploy/socket_parent.py is not on the test class path", e);
        }
    }

    int port() {
        return port;
    }

    /** Starts the jar on the held socket and returns when it told systemd READY=1. */
    long startAndAwaitReady() throws IOException, InterruptedException {
        send("start fd3");
        expect("started ", READY_WITHIN);
        expect("notify", "READY=1", READY_WITHIN);
        return System.nanoTime();
    }

    /**
     * What a hot handover did: the old and new pids, the sd_notify messages from the SIGHUP until
     * the successor's READY=1 ("PID MESSAGE"), and when it began, when the successor was ready and
     * when the old process exited, with its exit status.
     */
    record Handover(long oldPid, long newPid, List<String> notifications, long beganNanos, long readyNanos,
            long exitedNanos, int oldExitStatus) {}

    /** SIGHUP to the service's main process; returns once the successor told READY=1 and the old process exited. */
    Handover handOver() throws IOException, InterruptedException {
        long began = System.nanoTime();
        send("hup");
        long oldPid = Long.parseLong(expect("hup ", READY_WITHIN).substring("hup ".length()).trim());
        List<String> notifications = new ArrayList<>();
        long newPid = -1;
        long end = System.nanoTime() + HANDOVER_WITHIN.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("socket holder: no READY=1 from a successor; notifications: " + notifications);
            }
            if (!line.startsWith("notify ")) {
                continue;
            }
            String note = line.substring("notify ".length());
            notifications.add(note);
            Matcher mainPid = MAIN_PID.matcher(note);
            if (mainPid.find()) {
                newPid = Long.parseLong(mainPid.group(1));
            }
            if (note.contains("READY=1") && note.startsWith(oldPid + " ")) {
                throw new IllegalStateException("the reload failed, the old process said READY=1 again: " + notifications);
            }
            if (note.contains("READY=1") && newPid > 0 && note.startsWith(newPid + " ")) {
                break;
            }
        }
        long ready = System.nanoTime();
        send("waitpid " + oldPid);
        // what comes until the old process has exited counts too: it must say nothing more (no STOPPING=1)
        while (true) {
            String line = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("socket holder: old process " + oldPid + " did not exit");
            }
            if (line.startsWith("notify ")) {
                notifications.add(line.substring("notify ".length()));
            } else if (line.startsWith("exited ")) {
                int status = Integer.parseInt(line.substring("exited ".length()).trim());
                return new Handover(oldPid, newPid, notifications, began, ready, System.nanoTime(), status);
            }
        }
    }

    /** SIGTERM to the jar; returns its exit status. */
    int stop() throws IOException, InterruptedException {
        send("stop");
        String exited = expect("exited ", READY_WITHIN);
        return Integer.parseInt(exited.substring("exited ".length()).trim());
    }

    private void send(String command) throws IOException {
        commands.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
    }

    private String expect(String prefix, Duration timeout) throws InterruptedException {
        return expect(prefix, "", timeout);
    }

    private String expect(String prefix, String containing, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("socket holder: no '" + prefix + "' line within " + timeout);
            }
            if (line.startsWith(prefix) && line.contains(containing)) {
                return line;
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        send("quit");
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
