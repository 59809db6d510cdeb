package io.vmafx.spi;

import java.util.Objects;

/**
 * Whether a provider can work on this machine and, when it cannot, why, in one sentence
 * ("/dev/fuse is missing", "rclone not found at /usr/bin/rclone").
 *
 * @param usable whether the provider can prepare inputs here
 * @param reason empty when usable; otherwise one sentence naming the missing thing
 */
public record Availability(boolean usable, String reason) {

    public Availability {
        Objects.requireNonNull(reason, "reason");
        if (!usable && reason.isBlank()) {
            throw new IllegalArgumentException("an unusable provider must say why");
        }
    }

    public static Availability ok() {
        return new Availability(true, "");
    }

    public static Availability unusable(String reason) {
        return new Availability(false, reason);
    }
}
