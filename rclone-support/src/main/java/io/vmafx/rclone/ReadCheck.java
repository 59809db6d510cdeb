package io.vmafx.rclone;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The read check a pooled input carries ({@code PreparedInput.withReadCheck}): the rclone process (or mount)
 * that served the lease must still be alive once ffmpeg is done. A killed rclone cuts ffmpeg's read short,
 * and ffmpeg takes that for the end of the file and exits 0 with a score for part of the video.
 */
public final class ReadCheck {

    private ReadCheck() {
    }

    /** Empty while {@code member} is alive; otherwise why the bytes read through it cannot be trusted. */
    public static Supplier<Optional<String>> memberAlive(PooledMember member) {
        return () -> member.isAlive() ? Optional.empty()
                : Optional.of(member + " stopped while ffmpeg was reading; what was read may be incomplete");
    }
}
