package dev.xdperf.cli;

import dev.xdperf.registry.client.RegistryClient;
import dev.xdperf.registry.client.RegistryConfig;
import picocli.CommandLine.Option;

/** The --registry option (a picocli mixin) of every command that talks to a registry. */
final class RegistryOption {
    @Option(names = "--registry", paramLabel = "URL", defaultValue = "${env:XDPERF_REGISTRY}",
            description = "Registry URL: http(s)://HOST:PORT, or file:///DIR for a mirror (default: $XDPERF_REGISTRY, else "
                    + "'registry = URL' in $XDPERF_CONFIG_DIR/config, else " + RegistryConfig.DEFAULT_URL + ").")
    String url;

    RegistryClient client() {
        return RegistryConfig.client(url);
    }
}
