package dev.lastcall.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** The built fat jar and the JDK to run it, as the failsafe configuration in app/pom.xml names them. */
final class Jar {

    private Jar() {}

    static String path() {
        String jar = System.getProperty("lastcall.jar", "");
        assertThat(jar).as("system property lastcall.jar (set by failsafe: run with mvn verify)").isNotEmpty();
        assertThat(Path.of(jar)).as("the fat jar; build it with mvn package").isRegularFile();
        return jar;
    }

    static String java() {
        String java = System.getProperty("lastcall.java", "");
        assertThat(java).as("system property lastcall.java (set by failsafe: run with mvn verify)").isNotEmpty();
        assertThat(Files.isExecutable(Path.of(java))).as("%s is executable", java).isTrue();
        return java;
    }
}
