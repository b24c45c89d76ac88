package dev.xdperf.cli;

import picocli.CommandLine.Option;

/** The --token option (a picocli mixin) of the commands that change a publisher's namespace. */
final class TokenOption {
    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:XDPERF_TOKEN}",
            description = "Publisher token (default: $XDPERF_TOKEN).")
    String token;

    /** The token, or one sentence saying how to give one; {@code what} names the command. */
    String require(String what) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(what + ": needs a publisher token (--token TOKEN or XDPERF_TOKEN; "
                    + "the registry's admin creates one with 'xdperf registry admin create-token')");
        }
        return token.strip();
    }
}
