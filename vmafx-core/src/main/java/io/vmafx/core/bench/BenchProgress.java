package io.vmafx.core.bench;

/** Where a bench's progress lines go (a terminal's stderr), or nowhere. */
@FunctionalInterface
public interface BenchProgress {

    /** Progress nobody hears. */
    BenchProgress NONE = line -> { };

    void step(String line);
}
