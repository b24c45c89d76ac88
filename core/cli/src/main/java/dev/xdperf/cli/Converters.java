package dev.xdperf.cli;

import dev.xdperf.bpf.Cpus;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option parsers: rates like 2M, durations like 500ms, MACs, IPs, CPU lists. */
final class Converters {
    private Converters() {}

    /** "100000", "100k", "2.5M", "1G" packets per second. */
    static final class Rate implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            double mult = 1;
            if (v.endsWith("pps")) {
                v = v.substring(0, v.length() - 3);
            }
            if (v.endsWith("k")) {
                mult = 1e3;
            } else if (v.endsWith("m")) {
                mult = 1e6;
            } else if (v.endsWith("g")) {
                mult = 1e9;
            }
            if (mult != 1) {
                v = v.substring(0, v.length() - 1);
            }
            double d;
            try {
                d = Double.parseDouble(v) * mult;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a rate (examples: 100000, 100k, 2.5M)");
            }
            if (!(d >= 1) || d > 1e11) {
                throw new TypeConversionException("'" + value + "' is not a positive rate in packets per second");
            }
            return Math.round(d);
        }
    }

    /** "10" (seconds), "10s", "500ms", "2m". */
    static final class Time implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            double seconds;
            try {
                if (v.endsWith("ms")) {
                    seconds = Double.parseDouble(v.substring(0, v.length() - 2)) / 1000;
                } else if (v.endsWith("s")) {
                    seconds = Double.parseDouble(v.substring(0, v.length() - 1));
                } else if (v.endsWith("m")) {
                    seconds = Double.parseDouble(v.substring(0, v.length() - 1)) * 60;
                } else if (v.endsWith("h")) {
                    seconds = Double.parseDouble(v.substring(0, v.length() - 1)) * 3600;
                } else {
                    seconds = Double.parseDouble(v);
                }
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a duration (examples: 10, 10s, 500ms, 2m)");
            }
            if (!(seconds > 0) || seconds > 366 * 86400) {
                throw new TypeConversionException("'" + value + "' is not a positive duration");
            }
            return Duration.ofNanos(Math.round(seconds * 1e9));
        }
    }

    static final class Count implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long n = new Rate().convert(value);
            return n;
        }
    }

    /** "0.5", "2%", "100": a percentage in 0..100. */
    static final class Percent implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.trim();
            v = v.endsWith("%") ? v.substring(0, v.length() - 1) : v;
            double p;
            try {
                p = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a percentage");
            }
            if (!(p >= 0 && p <= 100)) {
                throw new TypeConversionException("'" + value + "' is outside 0..100");
            }
            return p;
        }
    }

    /** A 64-bit seed: unsigned decimal or 0x hex. */
    static final class Seed implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim().replace("_", "");
            try {
                return v.startsWith("0x") || v.startsWith("0X") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseUnsignedLong(v);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a seed (a number from 0 to 18446744073709551615, or 0x hex)");
            }
        }
    }

    /** "4096", "64k", "16M", "1G" bytes (binary multiples). */
    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.endsWith("ib")) {
                v = v.substring(0, v.length() - 2);
            } else if (v.endsWith("b")) {
                v = v.substring(0, v.length() - 1);
            }
            long mult = 1;
            if (v.endsWith("k")) {
                mult = 1L << 10;
            } else if (v.endsWith("m")) {
                mult = 1L << 20;
            } else if (v.endsWith("g")) {
                mult = 1L << 30;
            }
            if (mult != 1) {
                v = v.substring(0, v.length() - 1);
            }
            try {
                long n = Long.parseLong(v);
                if (n < 1) {
                    throw new NumberFormatException();
                }
                return n * mult;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a size in bytes (examples: 4096, 64k, 16M)");
            }
        }
    }

    static final class Mac implements ITypeConverter<MacAddress> {
        @Override
        public MacAddress convert(String value) {
            try {
                return MacAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Ip implements ITypeConverter<InetAddress> {
        @Override
        public InetAddress convert(String value) {
            try {
                return UdpStream.parseIp(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class CpuList implements ITypeConverter<List<Integer>> {
        @Override
        public List<Integer> convert(String value) {
            try {
                List<Integer> cpus = Cpus.parseList(value);
                if (cpus.isEmpty()) {
                    throw new TypeConversionException("'" + value + "' names no CPU");
                }
                return cpus;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a CPU list (examples: 0, 0-3, 1,3)");
            }
        }
    }

    static final class Mode implements ITypeConverter<XdpMode> {
        @Override
        public XdpMode convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "native", "drv", "driver" -> XdpMode.NATIVE;
                case "generic", "skb" -> XdpMode.GENERIC;
                default -> throw new TypeConversionException("'" + value + "' is not an XDP mode (native or generic)");
            };
        }
    }
}
