package dev.xdperf.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.pf4j.CompoundPluginDescriptorFinder;
import org.pf4j.DefaultVersionManager;
import org.pf4j.ManifestPluginDescriptorFinder;
import org.pf4j.PluginDescriptor;
import org.pf4j.PropertiesPluginDescriptorFinder;

/**
 * A Java plugin file (a PF4J jar, or a zip with classes/ and lib/) and what its descriptor
 * says, read without loading any of its code: {@code plugin.properties} or the manifest's
 * {@code Plugin-Id}, {@code Plugin-Version}, {@code Plugin-Requires}.
 */
record JavaPluginFile(Path path, String id, String version, String requires) {
    static final String ID_PATTERN = "[a-z0-9][a-z0-9_-]{0,63}";

    /** Whether a file name looks like a Java plugin. */
    static boolean isJavaPluginName(Path file) {
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".jar") || n.endsWith(".zip");
    }

    static {
        // PF4J logs through SLF4J; xdperf reports plugin failures itself. Should slf4j-simple be the
        // provider on the class path (instead of slf4j-nop), keep PF4J's INFO lines off stderr.
        if (System.getProperty("org.slf4j.simpleLogger.log.org.pf4j") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.pf4j", "off");
        }
    }

    /** Reads and checks the descriptor; every way it can be wrong is one sentence. */
    static JavaPluginFile read(Path file) {
        String where = "Java plugin " + file;
        PluginDescriptor d;
        try {
            d = new CompoundPluginDescriptorFinder()
                    .add(new PropertiesPluginDescriptorFinder())
                    .add(new ManifestPluginDescriptorFinder())
                    .find(file);
        } catch (RuntimeException e) {
            throw new PluginException(where + " has no readable PF4J descriptor: it is not a jar or zip with a plugin.properties"
                    + " or a manifest with Plugin-Id and Plugin-Version (docs/plugins-java.md)");
        }
        String id = d.getPluginId();
        if (id == null || id.isBlank()) {
            throw new PluginException(where + " has a malformed descriptor: no plugin id (plugin.id in plugin.properties or"
                    + " Plugin-Id in the manifest)");
        }
        if (!id.matches(ID_PATTERN)) {
            throw new PluginException(where + " has a malformed descriptor: plugin id '" + id
                    + "' is not a name of lower-case letters, digits, '-' and '_'");
        }
        String version = d.getVersion();
        if (version == null || version.isBlank()) {
            throw new PluginException(where + " has a malformed descriptor: plugin " + id + " has no version"
                    + " (plugin.version or Plugin-Version)");
        }
        String requires = d.getRequires() == null ? "*" : d.getRequires().trim();
        return new JavaPluginFile(file, id, version, requires.isEmpty() ? "*" : requires);
    }

    /**
     * Refuses the plugin when its "requires" constraint does not accept this xdperf's
     * version, the same rule PF4J applies (an exact x.y.z means >= x.y.z).
     */
    void requireHost(String hostVersion) {
        String constraint = requires.matches("^\\d+\\.\\d+\\.\\d+$") ? ">=" + requires : requires;
        boolean ok;
        try {
            ok = constraint.equals("*") || new DefaultVersionManager().checkVersionConstraint(hostVersion, constraint);
        } catch (RuntimeException e) {
            throw new PluginException("Java plugin " + path + " has a malformed descriptor: requires '" + requires
                    + "' is not a version constraint like >=0.1.0");
        }
        if (!ok) {
            throw new PluginException("plugin " + id + " " + version + " requires xdperf " + requires + ", this is xdperf "
                    + hostVersion + " (install a version of the plugin made for this xdperf)");
        }
    }

    /** SHA-256 of the file, hex: what the first-load notice remembers. */
    String sha256() {
        try (InputStream in = Files.newInputStream(path)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new PluginException("read Java plugin " + path + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
