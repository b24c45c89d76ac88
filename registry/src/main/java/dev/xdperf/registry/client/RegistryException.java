package dev.xdperf.registry.client;

/** The registry refused a request, or could not be reached: one sentence, and the HTTP status (0 when there was no answer). */
public final class RegistryException extends dev.xdperf.XdperfException.RegistryException {
    private final int status;

    public RegistryException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
