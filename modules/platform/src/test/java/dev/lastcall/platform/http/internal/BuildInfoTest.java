package dev.lastcall.platform.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class BuildInfoTest {

    @Test
    void thisBuildKnowsItsVersionAndBuildTime() {
        BuildInfo build = BuildInfo.ofThisJar();

        assertThat(build.version()).isNotEqualTo(BuildInfo.UNKNOWN);
        assertThat(build.buildTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    }

    @Test
    void whatMavenLeftUnresolvedOutsideAGitCheckoutIsUnknown() {
        Properties written = new Properties();
        written.setProperty("version", "0.1.0");
        written.setProperty("commit", "${git.commit.id}");
        written.setProperty("dirty", "${git.dirty}");
        written.setProperty("buildTime", "2026-01-31T12:00:00Z");

        BuildInfo build = BuildInfo.from(written);

        assertThat(build).isEqualTo(new BuildInfo("0.1.0", "unknown", false, "unknown", "2026-01-31T12:00:00Z"));
    }
}
