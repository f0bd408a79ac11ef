package dev.lastcall.platform.http.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What the build wrote into the jar ({@value #RESOURCE}, filtered by Maven; the commit comes from
 * git-commit-id-maven-plugin). A value the build could not know, such as the commit of sources that
 * are no git checkout, is {@value #UNKNOWN}.
 *
 * @param dirty whether the work tree had uncommitted changes; false when unknown
 */
public record BuildInfo(String version, String commit, boolean dirty, String commitTime, String buildTime) {

    static final String RESOURCE = "dev/lastcall/platform/build.properties";
    static final String UNKNOWN = "unknown";

    public static BuildInfo ofThisJar() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
        return from(properties);
    }

    static BuildInfo from(Properties properties) {
        return new BuildInfo(value(properties, "version"), value(properties, "commit"),
                value(properties, "dirty").equals("true"), value(properties, "commitTime"), value(properties, "buildTime"));
    }

    /** A property Maven left unresolved, {@code ${git.commit.id}}, is one the build did not know. */
    private static String value(Properties properties, String name) {
        String value = properties.getProperty(name, "").strip();
        return value.isEmpty() || value.contains("${") ? UNKNOWN : value;
    }
}
