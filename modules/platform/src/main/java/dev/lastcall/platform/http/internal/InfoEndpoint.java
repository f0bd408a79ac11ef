package dev.lastcall.platform.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.config.Settings;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.SortedMap;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpStatus;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /info}: what runs here. The build (version, commit, build time), the process (start
 * time, uptime, JDK, pid: after a reload, another process answers) and the effective settings, secrets hidden ({@link Settings#redacted}).
 */
public final class InfoEndpoint implements AdminEndpoint {

    /**
     * @param uptimeSeconds since the JVM started, in seconds with milliseconds
     */
    record Info(String version, String commit, boolean dirty, String commitTime, String buildTime, long pid, Instant startTime,
            double uptimeSeconds, Jdk jdk, SortedMap<String, Object> settings) {}

    record Jdk(String version, String vendor, String vm) {}

    private final BuildInfo build = BuildInfo.ofThisJar();
    private final SortedMap<String, Object> settings;
    private final ObjectMapper mapper;

    @Inject
    InfoEndpoint(Settings settings, ObjectMapper mapper) {
        this.settings = settings.redacted();
        this.mapper = mapper;
    }

    @Override
    public String path() {
        return "/info";
    }

    @Override
    public Answer answer(Function<String, @Nullable String> header) throws Exception {
        RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        Duration uptime = Duration.ofMillis(runtime.getUptime());
        Info info = new Info(build.version(), build.commit(), build.dirty(), build.commitTime(), build.buildTime(),
                ProcessHandle.current().pid(), Instant.ofEpochMilli(runtime.getStartTime()), uptime.toMillis() / 1000.0,
                new Jdk(Runtime.version().toString(), System.getProperty("java.vendor", BuildInfo.UNKNOWN),
                        runtime.getVmName()),
                settings);
        return new Answer(HttpStatus.OK_200, "application/json", mapper.writeValueAsBytes(info));
    }
}
