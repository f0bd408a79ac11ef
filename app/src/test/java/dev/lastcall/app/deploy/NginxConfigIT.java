package dev.lastcall.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nginx -t} on the shipped site, included as it would be in the http block of a main configuration. */
class NginxConfigIT {

    @TempDir
    Path dir;

    @Test
    void theShippedSitePassesNginxTest() throws Exception {
        String result = nginxTest(ShippedFiles.nginx());

        assertThat(result).startsWith("exit 0:").contains("test is successful").doesNotContain("[warn]", "[emerg]", "[alert]");
    }

    @Test
    void nginxTestWouldReportABrokenSite() throws Exception {
        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, ShippedFiles.read(ShippedFiles.nginx()).replace("keepalive 32;", "keepalive thirty-two;"));

        assertThat(nginxTest(broken)).doesNotStartWith("exit 0:").contains("[emerg]", "keepalive").doesNotContain("test is successful");
    }

    /** Runs {@code nginx -t} on a main configuration that keeps every file Nginx touches in the temp dir. */
    private String nginxTest(Path site) throws Exception {
        String nginx = Tools.require("nginx",
                "config/nginx/lastcall.conf is checked with nginx -t (Debian: apt-get install nginx-light)");
        Path main = dir.resolve("nginx.conf");
        Files.writeString(main, """
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events {}
                http {
                    access_log off;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    include %2$s;
                }
                """.formatted(dir, site.toAbsolutePath()));
        Process process = new ProcessBuilder(nginx, "-t", "-c", main.toString(), "-p", dir.toString(),
                "-e", dir.resolve("error.log").toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("nginx -t finished").isTrue();
        return "exit %d: %s".formatted(process.exitValue(), output);
    }
}
