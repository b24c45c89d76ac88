package dev.xdperf.plugin;

/** A plugin failed or was refused; the message is one sentence naming the plugin and, where it applies, the function. */
public class PluginException extends dev.xdperf.XdperfException.PluginLoadException {
    public PluginException(String message) {
        super(message);
    }
}
