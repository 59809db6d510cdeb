package io.vmafx.storage.httpserve;

import java.nio.charset.StandardCharsets;

/**
 * The URL path for an asset path below the served root: every segment percent-encoded as UTF-8, so that
 * spaces, {@code #}, {@code ?}, {@code %} and non-ASCII names reach rclone as the name they are (an unescaped
 * {@code #} would end the path for ffmpeg and {@code ?} would start a query).
 */
final class UrlPaths {

    private UrlPaths() {
    }

    /** {@code dir/my clip é.bin} becomes {@code dir/my%20clip%20%C3%A9.bin}; slashes separate segments. */
    static String escape(String path) {
        StringBuilder b = new StringBuilder(path.length() + 16);
        for (byte x : path.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c == '/' || isUnreserved(c)) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }

    /** RFC 3986 unreserved characters: the only ones every URL parser leaves alone. */
    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
