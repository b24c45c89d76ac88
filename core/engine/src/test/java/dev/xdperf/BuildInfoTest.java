package dev.xdperf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class BuildInfoTest {
    @Test
    void missingFieldsAreUnknown() {
        BuildInfo b = BuildInfo.parse(new Properties());
        assertEquals("unknown", b.version());
        assertEquals("unknown", b.commit());
        assertEquals("unknown", b.commitDate());
        assertFalse(b.dirty());
        assertEquals("unknown", b.shortCommit());
    }

    @Test
    void shortCommitKeepsTwelveDigitsAndMarksDirtyTrees() {
        Properties p = new Properties();
        p.setProperty("version", "1.2.3");
        p.setProperty("commit", "0123456789abcdef0123456789abcdef01234567");
        p.setProperty("commit.dirty", "true");
        BuildInfo b = BuildInfo.parse(p);
        assertEquals("1.2.3", b.version());
        assertEquals("0123456789ab-dirty", b.shortCommit());
    }

    @Test
    void pluginHostVersionIsTheMavenVersionWithoutQualifier() {
        assertEquals("0.1.0", Version.release("0.1.0-SNAPSHOT"));
        assertEquals("1.2.3", Version.release("1.2.3"));
        assertEquals("0.0.0", Version.release("unknown"));
        assertEquals(Version.release(System.getProperty("xdperf.expected.version")), Version.XDPERF);
    }

    @Test
    void thisBuildKnowsItsMavenVersion() {
        // surefire passes the pom's version; the build-info resource must carry the same
        assertEquals(System.getProperty("xdperf.expected.version"), BuildInfo.current().version());
    }
}
