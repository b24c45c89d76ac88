package dev.xdperf.bpf;

/** A loaded program of a {@link BpfObject}; its fd lives as long as the object. */
public record BpfProgram(String name, int fd) {}
