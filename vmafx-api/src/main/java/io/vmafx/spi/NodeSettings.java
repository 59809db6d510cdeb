package io.vmafx.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The node's resolved configuration, as providers see it: environment variables overridden by
 * command-line flags, keyed by the environment variable's name ({@code VMAFX_RCLONE_BIN}, ...).
 *
 * <p>Core builds one instance at start-up and hands the same one to every provider. A plugin reads its
 * own {@code VMAFX_*} variables through {@link #get}, so it needs no change here to be configured.
 * The typed readers throw {@link IllegalArgumentException} with a message that names the variable; core
 * turns that into a one-line start-up error.
 */
public interface NodeSettings {

    /** The value of {@code variable}, or empty when neither the environment nor a flag set it. */
    Optional<String> get(String variable);

    /** The value of {@code variable} or {@code fallback}. */
    default String get(String variable, String fallback) {
        return get(variable).orElse(fallback);
    }

    /** A path-valued setting; empty strings count as unset. */
    default Optional<Path> path(String variable) {
        return get(variable).filter(v -> !v.isBlank()).map(Path::of);
    }

    /** A boolean flag: {@code 1/true/yes/on} or {@code 0/false/no/off}. */
    default boolean flag(String variable, boolean fallback) {
        Optional<String> raw = get(variable).map(String::trim).filter(v -> !v.isEmpty());
        if (raw.isEmpty()) {
            return fallback;
        }
        switch (raw.get().toLowerCase(java.util.Locale.ROOT)) {
            case "1": case "true": case "yes": case "on": return true;
            case "0": case "false": case "no": case "off": return false;
            default:
                throw new IllegalArgumentException(variable + ": expected 1/true/yes/on or 0/false/no/off, got '" + raw.get() + "'");
        }
    }

    /**
     * A duration: a number with a unit, {@code 250ms}, {@code 15s}, {@code 2m}, {@code 1h}; a bare number
     * means seconds.
     */
    default Duration duration(String variable, Duration fallback) {
        Optional<String> raw = get(variable).map(String::trim).filter(v -> !v.isEmpty());
        if (raw.isEmpty()) {
            return fallback;
        }
        String v = raw.get();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(v);
        String expected = variable + ": expected a duration such as 500ms, 15s, 2m or 1h, got '" + v + "'";
        if (!m.matches()) {
            throw new IllegalArgumentException(expected);
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        try {
            long n = Long.parseLong(m.group(1));
            switch (unit) {
                case "ms": return Duration.ofMillis(n);
                case "m": return Duration.ofMinutes(n);
                case "h": return Duration.ofHours(n);
                default: return Duration.ofSeconds(n);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // Too many digits: without this the message would not name the variable.
            throw new IllegalArgumentException(expected + " (too large)", e);
        }
    }

    /** A size: bytes, or a number with K, M, G or T (powers of 1024), e.g. {@code 10G}. */
    default long size(String variable, long fallback) {
        Optional<String> raw = get(variable).map(String::trim).filter(v -> !v.isEmpty());
        if (raw.isEmpty()) {
            return fallback;
        }
        String v = raw.get();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([KMGT]i?B?|B)?", java.util.regex.Pattern.CASE_INSENSITIVE).matcher(v);
        String expected = variable + ": expected a size such as 512M or 10G, got '" + v + "'";
        if (!m.matches()) {
            throw new IllegalArgumentException(expected);
        }
        String unit = m.group(2) == null ? "B" : m.group(2).substring(0, 1).toUpperCase(java.util.Locale.ROOT);
        int shift = "BKMGT".indexOf(unit) * 10;
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(expected + " (too large)", e);
        }
        // A plain shift would wrap around silently: 16777216T is 2^64, which << makes 0.
        if (n > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException(expected + " (too large)");
        }
        return n << shift;
    }
}
