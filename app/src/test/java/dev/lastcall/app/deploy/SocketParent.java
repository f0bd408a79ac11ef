package dev.lastcall.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The parent process of socket activation, played by {@code socket_parent.py}: it holds a
 * listening socket across starts of the real jar, hands it over on fd 3 or stdin, and relays the
 * jar's {@code sd_notify} datagrams. Java's ProcessBuilder cannot pass a socket to a child.
 */
final class SocketParent implements AutoCloseable {

    /** One datagram the jar sent to NOTIFY_SOCKET, with the sender's pid from its credentials. */
    record Notification(long pid, String message, long receivedAt) {}

    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path dir;
    private final Writer commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final List<Notification> notifications = new CopyOnWriteArrayList<>();
    private final int port;

    private SocketParent(Process process, Path dir) throws InterruptedException {
        this.process = process;
        this.dir = dir;
        this.commands = process.outputWriter(StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("socket-parent-output").start(this::readOutput);
        this.port = Integer.parseInt(answer("listening"));
    }

    /**
     * Starts the parent; the jar it starts gets {@code environment} (LASTCALL_* settings) and
     * reports to {@code notifySocket}, a path or {@code @name}.
     */
    static SocketParent start(Path dir, String notifySocket, Map<String, String> environment)
            throws IOException, InterruptedException {
        String python = Tools.require("python3", "python3 (Debian: apt-get install python3) plays the parent that holds the socket");
        Path script = dir.resolve("socket_parent.py");
        try {
            Files.copy(Path.of(SocketParent.class.getResource("/deploy/socket_parent.py").toURI()), script);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        ProcessBuilder builder = new ProcessBuilder(python, script.toString(), Jar.java(), Jar.path(),
                dir.toString(), notifySocket)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().keySet().removeIf(name -> name.startsWith("LASTCALL_") || name.startsWith("LISTEN_"));
        builder.environment().putAll(environment);
        return new SocketParent(builder.start(), dir);
    }

    /** The port of the held socket. */
    int port() {
        return port;
    }

    /** Starts the jar on the held socket; {@code mode} is fd3, stdin or fd3-not-listening. Returns its pid. */
    long startJar(String mode) throws InterruptedException {
        String[] started = send("start " + mode, "started").split(" ");
        return Long.parseLong(started[0]);
    }

    /** The log of the jar started {@code nth} (from 1). */
    Path log(int nth) {
        return dir.resolve("lastcall-" + nth + ".log");
    }

    /** SIGTERM to the running jar; its exit status once it has ended. */
    int stopJar() throws InterruptedException {
        return Integer.parseInt(send("stop", "exited"));
    }

    /** Waits for process {@code pid} (the jar, or a successor that is the parent's child now) to end; its exit status. */
    int waitFor(long pid) throws InterruptedException {
        return Integer.parseInt(send("waitpid " + pid, "exited"));
    }

    /** SIGHUP to the service's main process (a hot handover); returns that process's pid. */
    long hup() throws InterruptedException {
        return Long.parseLong(send("hup", "hup").strip());
    }

    /** The exit status of the running jar once it ends by itself. */
    int awaitJarExit() throws InterruptedException {
        return Integer.parseInt(send("wait", "exited"));
    }

    Notification awaitNotification(long pid, Predicate<String> message, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Notification notification : notifications) {
                if (notification.pid() == pid && message.test(notification.message())) {
                    return notification;
                }
            }
            Thread.sleep(10);
        }
        return fail("no notification from pid %d matching within %s; received: %s", pid, timeout, notifications);
    }

    List<Notification> notificationsFrom(long pid) {
        return notifications.stream().filter(n -> n.pid() == pid).toList();
    }

    private String send(String command, String answer) throws InterruptedException {
        try {
            commands.write(command + "\n");
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("socket_parent.py is gone", e);
        }
        return answer(answer);
    }

    private String answer(String word) throws InterruptedException {
        String line = answers.poll(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(line).as("answer '%s' from socket_parent.py", word).isNotNull().startsWith(word + " ");
        return line.substring(word.length() + 1);
    }

    private void readOutput() {
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                if (line.startsWith("notify ")) {
                    String[] parts = line.split(" ", 3);
                    notifications.add(new Notification(Long.parseLong(parts[1]), JSON.readValue(parts[2], String.class),
                            System.nanoTime()));
                } else {
                    answers.add(line);
                }
            }
        } catch (IOException e) {
            answers.add("error " + e);
        }
    }

    @Override
    public void close() {
        try {
            commands.write("quit\n");
            commands.close();
        } catch (IOException gone) {
            // already ended
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
