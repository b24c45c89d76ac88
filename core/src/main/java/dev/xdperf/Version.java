package dev.xdperf;

/** This xdperf's version: what --version prints, and what Java plugins' "requires" constraints are checked against. */
public final class Version {
    public static final String XDPERF = "0.1.0";

    private Version() {}
}
