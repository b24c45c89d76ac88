package dev.xdperf;

/**
 * The root of every failure xdperf reports to its user: one unchecked type, with a subclass
 * per phase that failed. Messages read "verb object: cause (hint)" and are shown as they are;
 * the command maps the phase to an exit code in one place.
 */
public abstract class XdperfException extends RuntimeException {
    protected XdperfException(String message) {
        super(message);
    }

    protected XdperfException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The phase that failed, as the user would name it: "config", "plugin load", "bpf load", ... */
    public abstract String phase();

    /** A run described wrongly: a value out of range, options that contradict each other. */
    public static class ConfigException extends XdperfException {
        public ConfigException(String message) {
            super(message);
        }

        @Override
        public String phase() {
            return "config";
        }
    }

    /** A plugin could not be found, read, checked or instantiated. */
    public static class PluginLoadException extends XdperfException {
        public PluginLoadException(String message) {
            super(message);
        }

        public PluginLoadException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String phase() {
            return "plugin load";
        }
    }

    /** A plugin failed while it ran: trapped, looped, ran out of memory, returned garbage. */
    public static class PluginCallException extends PluginLoadException {
        public PluginCallException(String message) {
            super(message);
        }

        public PluginCallException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String phase() {
            return "plugin call";
        }
    }

    /** A template set that breaks the ABI: offsets outside the packet, bad widths, too many rules. */
    public static class TemplateException extends XdperfException {
        public TemplateException(String message) {
            super(message);
        }

        @Override
        public String phase() {
            return "template";
        }
    }

    /** A BPF object, map or program that the kernel refused, or a kernel feature that is missing. */
    public static class BpfLoadException extends XdperfException {
        public BpfLoadException(String message) {
            super(message);
        }

        public BpfLoadException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String phase() {
            return "bpf load";
        }
    }

    /** An XDP program that could not be attached to, or detached from, an interface. */
    public static class AttachException extends XdperfException {
        public AttachException(String message) {
            super(message);
        }

        @Override
        public String phase() {
            return "attach";
        }
    }

    /** The control channel between client and server: unreachable, refused, broken protocol. */
    public static class ControlException extends XdperfException {
        public ControlException(String message) {
            super(message);
        }

        public ControlException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String phase() {
            return "control";
        }
    }

    /** The plugin registry: unreachable, refused, a download that does not verify. */
    public static class RegistryException extends XdperfException {
        public RegistryException(String message) {
            super(message);
        }

        public RegistryException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String phase() {
            return "registry";
        }
    }
}
