package dev.xdperf.abi;

/** Bytes or values that break the template ABI; the message names the template, rule and value. */
public class AbiException extends dev.xdperf.XdperfException.TemplateException {
    public AbiException(String message) {
        super(message);
    }
}
