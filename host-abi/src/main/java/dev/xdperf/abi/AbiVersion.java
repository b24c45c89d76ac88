package dev.xdperf.abi;

/** A template ABI version, major.minor (docs/abi.md, "Versioning"). */
public record AbiVersion(int major, int minor) {
    /** The version this host speaks. */
    public static final AbiVersion HOST = new AbiVersion(1, 0);

    public AbiVersion {
        if (major < 0 || major > 0xffff || minor < 0 || minor > 0xffff) {
            throw new IllegalArgumentException("ABI version " + major + "." + minor + " is out of range");
        }
    }

    /** From the value of the {@code xdperf_abi_version} export: major << 16 | minor. */
    public static AbiVersion fromPacked(int packed) {
        return new AbiVersion(packed >>> 16, packed & 0xffff);
    }

    public static AbiVersion parse(String text) {
        String[] p = text.trim().split("\\.");
        try {
            if (p.length == 2) {
                return new AbiVersion(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("'" + text + "' is not an ABI version (major.minor)");
    }

    public int packed() {
        return major << 16 | minor;
    }

    /** Same major, and a minor no newer than ours. */
    public boolean acceptedBy(AbiVersion host) {
        return major == host.major && minor <= host.minor;
    }

    /** Throws the refusal that names both versions when {@code host} cannot run a plugin built for this version. */
    public void requireAcceptedBy(AbiVersion host, String plugin) {
        if (!acceptedBy(host)) {
            throw new AbiException("plugin " + plugin + ": built for template ABI " + this
                    + ", this xdperf supports " + host + (major == host.major ? " (a newer minor)" : ""));
        }
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
