package dev.xdperf.template;

import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;

/** A plugin, or a template-set file: turns the run's request into templates. */
public interface TemplateSource {
    String name();

    TemplateSet generate(RunRequest request);
}
