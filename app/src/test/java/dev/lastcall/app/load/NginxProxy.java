package dev.lastcall.app.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Nginx running the shipped site configuration ({@code config/nginx/lastcall.conf}), with
 * only its listen port and upstream servers replaced by the test's.
 */
public final class NginxProxy implements AutoCloseable {

    private static final List<Path> BINARIES = List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/bin/nginx"));

    private final Process process;
    private final Path directory;

    private NginxProxy(Process process, Path directory) {
        this.process = process;
        this.directory = directory;
    }

    public static Path binary() {
        return BINARIES.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException(
                "nginx is not installed: .ci/run installs it (apt-get install -y nginx-light)"));
    }

    /** The shipped site config with the test's listen port, upstream servers and keepalive timeout. */
    public static String siteConfig(Path shipped, int listenPort, List<Integer> upstreamPorts, Duration keepaliveTimeout)
            throws IOException {
        String site = Files.readString(shipped);
        java.util.regex.Matcher upstream = java.util.regex.Pattern
                .compile("(?m)^(\\s*)server\\s+127\\.0\\.0\\.1:\\d+([^;]*);(\\s*\\n\\s*server\\s+127\\.0\\.0\\.1:\\d+[^;]*;)*")
                .matcher(site);
        if (!upstream.find()) {
            throw new IllegalStateException("no 'server 127.0.0.1:PORT ...;' lines in " + shipped);
        }
        String parameters = upstream.group(2);
        String servers = upstreamPorts.stream()
                .map(port -> "server 127.0.0.1:" + port + parameters + ";")
                .collect(Collectors.joining("\n" + upstream.group(1)));
        site = site.substring(0, upstream.start()) + upstream.group(1) + servers + site.substring(upstream.end());
        site = site.replaceFirst("(?m)^(\\s*)listen\\s+[^;]+;", "$1listen 127.0.0.1:" + listenPort + ";")
                .replaceAll("(?m)^\\s*listen\\s+(?!127\\.0\\.0\\.1:" + listenPort + ";)[^;]+;\\n", "");
        // Only the upstream block's keepalive_timeout: the client side keeps Nginx's default.
        int upstreamStart = site.indexOf("upstream ");
        int upstreamEnd = site.indexOf('}', upstreamStart);
        String upstreamBlock = site.substring(upstreamStart, upstreamEnd).replaceAll(
                "(?m)^(\\s*)keepalive_timeout\\s+[^;]+;", "$1keepalive_timeout " + keepaliveTimeout.toMillis() + "ms;");
        site = site.substring(0, upstreamStart) + upstreamBlock + site.substring(upstreamEnd);
        return site;
    }

    public static NginxProxy start(Path directory, String siteConfig) throws IOException, InterruptedException {
        Files.createDirectories(directory.resolve("temp"));
        Files.writeString(directory.resolve("site.conf"), siteConfig);
        Files.writeString(directory.resolve("nginx.conf"), """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/temp;
                    proxy_temp_path %1$s/temp;
                    include %1$s/site.conf;
                }
                """.formatted(directory));
        Process process = new ProcessBuilder(binary().toString(), "-p", directory.toString(), "-c",
                directory.resolve("nginx.conf").toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(directory.resolve("stdout.log").toFile()).start();
        NginxProxy nginx = new NginxProxy(process, directory);
        Thread.sleep(300);
        if (!process.isAlive()) {
            throw new IllegalStateException("nginx did not start: " + Files.readString(directory.resolve("stdout.log"))
                    + nginx.errorLog());
        }
        return nginx;
    }

    public String errorLog() throws IOException {
        Path log = directory.resolve("error.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
