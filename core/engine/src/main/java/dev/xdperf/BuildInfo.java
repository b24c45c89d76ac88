package dev.xdperf;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What this build of xdperf is: the Maven project version and the git commit it was built
 * from, read from {@code build-info.properties} that the build generates
 * (core/src/build/build-info.sh). Fields are "unknown" when the build could not tell.
 */
public record BuildInfo(String version, String commit, String commitDate, boolean dirty) {
    static final String RESOURCE = "build-info.properties";
    public static final String UNKNOWN = "unknown";

    private static final BuildInfo CURRENT = load();

    public BuildInfo {
        version = blankToUnknown(version);
        commit = blankToUnknown(commit);
        commitDate = blankToUnknown(commitDate);
    }

    /** This build. */
    public static BuildInfo current() {
        return CURRENT;
    }

    /** The commit shortened to 12 hex digits, with "-dirty" when the tree had uncommitted changes. */
    public String shortCommit() {
        String c = commit.matches("[0-9a-f]{40}") ? commit.substring(0, 12) : commit;
        return dirty ? c + "-dirty" : c;
    }

    static BuildInfo parse(Properties p) {
        return new BuildInfo(p.getProperty("version"), p.getProperty("commit"), p.getProperty("commit.date"),
                "true".equals(p.getProperty("commit.dirty")));
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a damaged jar: report what we know, which is nothing
        }
        return parse(p);
    }

    private static String blankToUnknown(String s) {
        return s == null || s.isBlank() ? UNKNOWN : s.strip();
    }
}
