package dev.xdperf.cli;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.registry.client.Installer;
import dev.xdperf.registry.client.RegistryClient;
import dev.xdperf.registry.client.TrustStore;
import java.io.PrintWriter;

/** The installer the plugin commands use: this xdperf's plugin directory, trust store and template ABI. */
final class PluginInstallers {
    private PluginInstallers() {}

    /** Installs from {@code registry} (null: from bundles only), with its notices on {@code err}. */
    static Installer of(RegistryClient registry, PrintWriter err) {
        return new Installer(registry, TrustStore.atDefaultLocation(), PluginResolver.defaultInstallDir(), AbiVersion.HOST,
                s -> {
                    err.println(s);
                    err.flush();
                });
    }

    /** Works on the installed plugins only, silently. */
    static Installer local() {
        return new Installer(null, TrustStore.atDefaultLocation(), PluginResolver.defaultInstallDir(), AbiVersion.HOST, s -> { });
    }
}
