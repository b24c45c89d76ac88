package dev.xdperf.analyze;

/**
 * The root of every failure in analyze; the message is one sentence in the form
 * "verb object: cause (hint)". Subclasses name the phase that failed.
 */
public class AnalyzeException extends dev.xdperf.XdperfException {
    public AnalyzeException(String message) {
        super(message);
    }

    public AnalyzeException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String phase() {
        return "analyze";
    }
}
