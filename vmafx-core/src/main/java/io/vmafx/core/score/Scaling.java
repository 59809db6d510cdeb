package io.vmafx.core.score;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a distorted video at another resolution than its reference is brought to the reference's size before
 * scoring (ffmpeg's {@code scale} filter flags). Netflix recommends bicubic upscaling of the distorted video to
 * the reference's resolution, the default.
 */
public enum Scaling {
    BICUBIC("bicubic"),
    BILINEAR("bilinear"),
    LANCZOS("lanczos"),
    SPLINE("spline"),
    NEIGHBOR("neighbor"),
    AREA("area");

    private final String flag;

    Scaling(String flag) {
        this.flag = flag;
    }

    /** The swscale flag ({@code scale=...:flags=bicubic}); also how users name it. */
    public String flag() {
        return flag;
    }

    /** @throws IllegalArgumentException naming the text and the known methods */
    public static Scaling parse(String text) {
        String name = text.strip().toLowerCase(Locale.ROOT);
        for (Scaling s : values()) {
            if (s.flag.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scaling '" + text.strip() + "'; known: "
                + Arrays.stream(values()).map(Scaling::flag).collect(Collectors.joining(", ")));
    }
}
