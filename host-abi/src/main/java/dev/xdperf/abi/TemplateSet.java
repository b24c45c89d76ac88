package dev.xdperf.abi;

import java.util.List;

/** What a plugin returns for a run: the templates and the ABI version they were built for. */
public record TemplateSet(AbiVersion abi, List<PacketTemplate> templates) {
    public static final int MAX_TEMPLATES = 1024;
    public static final int MAX_FIELDS = 8;
    public static final int MAX_CHECKSUMS = 4;
    public static final int MAX_FRAME = 1514;
    public static final int MIN_FRAME = 14;

    public TemplateSet {
        templates = List.copyOf(templates);
    }
}
