package io.vmafx.rclone;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A value made on first use, once, thread-safely: what a provider holds that starts threads or clients (a stat
 * pool, an HTTP client), so that a node that never uses the provider starts none.
 */
public final class Lazy<T> {

    private final Supplier<T> make;
    private volatile T value;

    public Lazy(Supplier<T> make) {
        this.make = Objects.requireNonNull(make, "make");
    }

    /** The value, made now if it was not. */
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    v = Objects.requireNonNull(make.get(), "made null");
                    value = v;
                }
            }
        }
        return v;
    }

    /** The value if it was made (to close it), without making it. */
    public Optional<T> ifMade() {
        return Optional.ofNullable(value);
    }
}
