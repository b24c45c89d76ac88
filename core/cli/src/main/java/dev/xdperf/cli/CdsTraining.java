package dev.xdperf.cli;

import java.nio.file.Path;

/**
 * The training run behind the packaged class archive (lib/cds-archive.sh): the classes it
 * loads are the ones the archive maps at every later start. A probe loads what a run loads
 * to reach the kernel (picocli, Jackson, the FFI, the BPF objects); a look at the frames of
 * the bundled tcp (WebAssembly) and quic (Java) plugins, read from a compiled-plugin cache
 * on disk, loads the plugin host, the template compiler and the field engine, as a run with
 * a cached plugin does. Whether the probe succeeds (no privileges in a chroot) does not
 * matter. With {@code --warm} it only fills the cache, in a process that archives nothing.
 *
 * <p>Usage: {@code CdsTraining DIR [--warm]}, DIR a fresh directory of this user's (mode 0700)
 * that holds the plugin cache and the frames written.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: CdsTraining DIR [--warm]");
            System.exit(2);
        }
        System.exit(train(Path.of(args[0]), args.length > 1 && args[1].equals("--warm")));
    }

    /** The training run, with the plugin cache in {@code dir}; 0 when every step succeeded but the probe. */
    static int train(Path dir, boolean warm) {
        System.setProperty("xdperf.cache.dir", dir.toString());
        if (!warm) {
            Main.execute("probe", "--json");
        }
        int code = 0;
        for (String plugin : new String[] {"tcp", "quic"}) {
            code |= Main.execute("client", "--dst-ip", "198.18.0.2", "--plugin", plugin, "--count", "64",
                    "--pcap", dir.resolve(plugin + ".pcap").toString());
        }
        return code;
    }
}
