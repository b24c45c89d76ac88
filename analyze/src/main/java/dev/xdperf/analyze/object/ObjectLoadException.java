package dev.xdperf.analyze.object;

import dev.xdperf.analyze.AnalyzeException;

/** An object file that cannot be turned into programs and maps. */
public final class ObjectLoadException extends AnalyzeException {
    public ObjectLoadException(String message) {
        super(message);
    }
}
