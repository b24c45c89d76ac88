package dev.xdperf.bpf;

/** A kernel or driver feature that xdperf needs is missing; the message names the minimum. */
public class UnsupportedFeatureException extends BpfException {
    public UnsupportedFeatureException(String message) {
        super(message);
    }
}
