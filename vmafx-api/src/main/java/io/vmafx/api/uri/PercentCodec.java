package io.vmafx.api.uri;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of URI paths as UTF-8. Stricter than {@code URLDecoder}: {@code +} stays a plus (paths
 * are not form data), a malformed escape or invalid UTF-8 is an error rather than a replacement character.
 */
final class PercentCodec {

    private static final String KEEP = "-._~/!$&'()*+,;=:@";

    private PercentCodec() {
    }

    /** Decodes {@code %XX} escapes in {@code s}; {@code input} names the whole URI in errors. */
    static String decode(String input, String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 3 > s.length()) {
                    throw new InvalidAssetUriException(input, "incomplete percent-escape at '" + s.substring(i) + "'");
                }
                int hi = hexDigit(s.charAt(i + 1));
                int lo = hexDigit(s.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    throw new InvalidAssetUriException(input, "bad percent-escape '" + s.substring(i, i + 3) + "' (a literal % is %25)");
                }
                bytes.write(hi << 4 | lo);
                i += 3;
            } else {
                int cp = s.codePointAt(i);
                byte[] raw = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
                i += Character.charCount(cp);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidAssetUriException(input, "percent-escapes that are not valid UTF-8");
        }
    }

    /**
     * The value of an ASCII hex digit, or -1. Not {@link Character#digit}: that also takes full-width and
     * other Unicode digits, so {@code %４１} would decode to {@code A}.
     */
    private static int hexDigit(char c) {
        return c < 0x80 ? Character.digit(c, 16) : -1;
    }

    /** Encodes everything but unreserved characters, sub-delimiters, {@code : @ /}. */
    static String encodePath(String s) {
        return encode(s, KEEP);
    }

    /**
     * Like {@link #encodePath} but also escapes {@code /}: for a URI's authority, where a decoded slash
     * written back raw would move the boundary between authority and path.
     */
    static String encodeSegment(String s) {
        return encode(s, KEEP.replace("/", ""));
    }

    private static String encode(String s, String keep) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || keep.indexOf(c) >= 0)) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }

    /** Escapes only what cannot stand raw in a URL (space, non-ASCII, quotes...); existing escapes stay. */
    static String escapeRaw(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c > 0x20 && c < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^' && c != '`'
                    && c != '{' && c != '|' && c != '}') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return b.toString();
    }
}
