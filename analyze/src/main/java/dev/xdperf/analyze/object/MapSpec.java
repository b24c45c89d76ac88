package dev.xdperf.analyze.object;

/**
 * A map as the object file declares it. Global data sections (.data, .rodata, .bss) are
 * one-entry arrays whose value is the section's contents; {@code readOnly} marks .rodata,
 * which the loader freezes, so its contents are constants of the program.
 *
 * @param origin "btf" (a .maps definition), "legacy" (a struct in the maps section) or "data"
 */
public record MapSpec(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags,
                      byte[] initialValue, boolean readOnly, String origin) {
    public MapSpec {
        if (keySize < 0 || valueSize < 0 || maxEntries < 0) {
            throw new ObjectLoadException("map " + name + ": negative key size, value size or max_entries");
        }
        initialValue = initialValue == null ? null : initialValue.clone();
    }

    @Override
    public byte[] initialValue() {
        return initialValue == null ? null : initialValue.clone();
    }

    public boolean globalData() {
        return "data".equals(origin);
    }

    @Override
    public String toString() {
        return name + " (" + type.label() + ", key " + keySize + " B, value " + valueSize + " B, max " + maxEntries
                + (readOnly ? ", read-only" : "") + ")";
    }
}
