package dev.xdperf.abi;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a plugin says about itself (docs/abi.md, "The description"): a WebAssembly plugin
 * returns it as JSON from {@code describe}, a Java plugin as this record from
 * {@link TemplatePlugin#describe()}.
 */
public record PluginDescription(String id, String version, AbiVersion abi, String description, String license,
                                List<OptionSpec> options) {
    public PluginDescription {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a plugin description needs an id");
        }
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("plugin " + id + ": the description needs a version");
        }
        if (abi == null) {
            throw new IllegalArgumentException("plugin " + id + ": the description needs the template ABI version it was built for");
        }
        description = description == null ? "" : description;
        license = license == null ? "" : license;
        options = List.copyOf(options);
        Set<String> names = new HashSet<>();
        for (OptionSpec o : options) {
            if (!names.add(o.name())) {
                throw new IllegalArgumentException("plugin " + id + " declares option '" + o.name() + "' twice");
            }
        }
    }

    /**
     * Starts a description. A Java plugin passes {@code TemplatePlugin.ABI_MAJOR} and
     * {@code ABI_MINOR}: constants compiled into the plugin, so they say which ABI it was built for.
     */
    public static Builder builder(String id, String version, int abiMajor, int abiMinor) {
        return new Builder(id, version, new AbiVersion(abiMajor, abiMinor));
    }

    /**
     * Checks the operator's options against the declared ones and fills in defaults: the
     * list the plugin receives in its run request, in declaration order. Throws an
     * IllegalArgumentException (one sentence) for an unknown name or an ill-typed value.
     */
    public List<Map.Entry<String, String>> resolveOptions(Map<String, String> given) {
        Map<String, OptionSpec> byName = new LinkedHashMap<>();
        options.forEach(o -> byName.put(o.name(), o));
        for (String k : given.keySet()) {
            if (!byName.containsKey(k)) {
                throw new IllegalArgumentException("plugin " + id + " has no option '" + k + "'"
                        + (byName.isEmpty() ? "" : " (it has: " + String.join(", ", byName.keySet()) + ")"));
            }
        }
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (OptionSpec o : options) {
            String v = given.get(o.name());
            if (v != null) {
                out.add(Map.entry(o.name(), o.check(id, v)));
            } else if (o.defaultValue() != null) {
                out.add(Map.entry(o.name(), o.defaultValue()));
            }
        }
        return out;
    }

    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(id).append(' ').append(version).append(" (template ABI ").append(abi).append(")");
        if (!license.isEmpty()) {
            b.append(", ").append(license);
        }
        b.append('\n');
        if (!description.isEmpty()) {
            b.append(description).append('\n');
        }
        if (!options.isEmpty()) {
            b.append("\noptions (--plugin-opt NAME=VALUE):\n");
            for (OptionSpec o : options) {
                String type = o.type().equals("enum") ? String.join("|", o.values()) : o.type();
                String range = o.min() != null || o.max() != null ? " " + (o.min() == null ? "" : o.min()) + ".." + (o.max() == null ? "" : o.max()) : "";
                b.append(String.format("  %-14s %-22s default %-10s %s%n", o.name(), type + range,
                        o.defaultValue() == null ? "-" : o.defaultValue(), o.help()));
            }
        }
        return b.toString();
    }

    /** Builds a description; {@link #build()} validates it. */
    public static final class Builder {
        private final String id;
        private final String version;
        private final AbiVersion abi;
        private String description = "";
        private String license = "";
        private final List<OptionSpec> options = new ArrayList<>();

        private Builder(String id, String version, AbiVersion abi) {
            this.id = id;
            this.version = version;
            this.abi = abi;
        }

        public Builder description(String text) {
            this.description = text;
            return this;
        }

        public Builder license(String spdx) {
            this.license = spdx;
            return this;
        }

        public Builder option(OptionSpec option) {
            options.add(option);
            return this;
        }

        public PluginDescription build() {
            return new PluginDescription(id, version, abi, description, license, options);
        }
    }
}
