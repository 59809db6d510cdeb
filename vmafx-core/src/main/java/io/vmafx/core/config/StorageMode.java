package io.vmafx.core.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How remote inputs reach ffmpeg. Local paths and {@code file://} always go to {@code local}, whatever the mode. */
public enum StorageMode {
    HTTP_SERVE("http-serve"),
    MOUNT("mount"),
    LOCAL("local"),
    /** {@code mount} where FUSE is usable, else {@code http-serve} (the reason is logged). */
    AUTO("auto");

    private final String label;

    StorageMode(String label) {
        this.label = label;
    }

    /** The name used in settings and by the provider that implements the mode. */
    public String label() {
        return label;
    }

    static StorageMode parse(String variable, String value) throws ConfigException {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (StorageMode m : values()) {
            if (m.label.equals(v)) {
                return m;
            }
        }
        throw new ConfigException(variable + ": unknown storage mode '" + value + "', expected one of "
                + Arrays.stream(values()).map(StorageMode::label).collect(Collectors.joining(", ")));
    }
}
