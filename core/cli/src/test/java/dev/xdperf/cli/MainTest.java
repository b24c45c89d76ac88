package dev.xdperf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Option errors: one sentence on stderr, exit 2, before anything touches the kernel. */
class MainTest {
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    static void assertOneSentence(Run r, int exit, String fragment) {
        assertEquals(exit, r.exit(), r.toString());
        String err = r.err().strip();
        assertTrue(err.startsWith("xdperf: "), err);
        assertTrue(err.contains(fragment), "expected '" + fragment + "' in: " + err);
        assertEquals(1, err.lines().count(), "one line only: " + err);
    }

    @Test
    void unknownOption() {
        assertOneSentence(run("client", "--dev", "eth0", "--bogus"), 2, "unknown option: '--bogus'");
    }

    @Test
    void zeroAndNegativeRates() {
        assertOneSentence(run("client", "--dev", "eth0", "--pps", "0"), 2, "not a positive rate");
        assertOneSentence(run("client", "--dev", "eth0", "--pps", "-5"), 2, "not a positive rate");
        assertOneSentence(run("client", "--dev", "eth0", "--pps", "fast"), 2, "is not a rate");
    }

    @Test
    void badDurationsAndLists() {
        assertOneSentence(run("client", "--dev", "eth0", "--duration", "-1"), 2, "not a positive duration");
        assertOneSentence(run("client", "--dev", "eth0", "--cpus", "a-b"), 2, "is not a CPU list");
        assertOneSentence(run("client", "--dev", "eth0", "--dst-mac", "zz"), 2, "is not a MAC address");
        assertOneSentence(run("client", "--dev", "eth0", "--dst-ip", "1.2.3"), 2, "is not an IPv4 or IPv6 address");
    }

    @Test
    void featureOptionErrors() {
        assertOneSentence(run("server", "--dev", "lo", "--features", "packets"), 1, "--features packets is not flows, sampled:N or full");
        assertOneSentence(run("server", "--dev", "lo", "--features", "sampled:0"), 1, "not a positive count");
        assertOneSentence(run("server", "--dev", "lo", "--features-out", "x.csv"), 1, "--features-out needs --features");
        assertOneSentence(run("server", "--dev", "lo", "--features", "full", "--baseline", "pcap"), 1, "--baseline pcap is not af_packet");
        assertOneSentence(run("server", "--dev", "lo", "--features", "full", "--features-format", "xml"), 1,
                "--features-format xml is not csv, jsonl, arrow or ipfix");
        assertOneSentence(run("server", "--dev", "lo", "--features", "full", "--features-ring", "lots"), 2, "is not a size in bytes");
        assertEquals(16L << 20, new Converters.Size().convert("16M"));
        assertEquals(4096L, new Converters.Size().convert("4k"));
    }

    @Test
    void missingDevice() {
        assertOneSentence(run("client"), 2, "missing required option: '--dev=IF'");
        assertOneSentence(run("server"), 2, "missing required option: '--dev=IF'");
    }

    @Test
    void ratesAndDurationsParse() {
        assertEquals(2_500_000L, new Converters.Rate().convert("2.5M"));
        assertEquals(100_000L, new Converters.Rate().convert("100k"));
        assertEquals(500, new Converters.Time().convert("500ms").toMillis());
        assertEquals(120, new Converters.Time().convert("2m").toSeconds());
        assertEquals(java.util.List.of(0, 1, 2, 5), new Converters.CpuList().convert("0-2,5"));
    }
}
