package dev.xdperf;

/**
 * This xdperf's release version, what Java plugins' "requires" constraints are checked
 * against: the Maven project version of the build ({@link BuildInfo}) without a qualifier
 * such as -SNAPSHOT, so that a snapshot of 0.1.0 satisfies "&gt;=0.1.0".
 */
public final class Version {
    public static final String XDPERF = release(BuildInfo.current().version());

    private Version() {}

    /** "0.1.0-SNAPSHOT" → "0.1.0"; "0.0.0" for a build that does not know its version. */
    static String release(String mavenVersion) {
        String r = mavenVersion.replaceFirst("-.*$", "");
        return r.matches("\\d+\\.\\d+\\.\\d+") ? r : "0.0.0";
    }
}
