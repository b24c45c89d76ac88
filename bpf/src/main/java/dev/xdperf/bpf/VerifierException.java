package dev.xdperf.bpf;

/**
 * The kernel's verifier refused a program. The message is one sentence naming the program and
 * the verifier's own reason; {@link #log()} holds the tail of the verifier's log for whoever
 * wants to show it.
 */
public final class VerifierException extends BpfException {
    private final String log;

    public VerifierException(String message, int errno, String log) {
        super(message, errno);
        this.log = log;
    }

    public String log() {
        return log;
    }

    /** The verifier's reason: the last line of its log that is not a summary line. */
    static String reason(String log) {
        String[] lines = log.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("processed ") || l.startsWith("verification time") || l.startsWith("stack depth")
                    || l.startsWith("-- END PROG LOAD LOG --") || l.startsWith("libbpf:")) {
                continue;
            }
            return l;
        }
        return "no reason given";
    }
}
