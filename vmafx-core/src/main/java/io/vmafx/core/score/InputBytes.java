package io.vmafx.core.score;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The size and first bytes of an input, for the layout checks ffmpeg does not make (a raw or y4m file that is
 * not a whole number of frames): a local file by {@code stat} and a read, an {@code http(s)} URL by one ranged GET
 * ({@code Range: bytes=0-1023}, total size from {@code Content-Range}) with the URL's credentials as a header.
 * Bounded: at most {@link Y4mHeader#MAX_HEADER} bytes, 10 s to connect and to read. Used by {@link LibvmafScorer}.
 *
 * @param size the input's size in bytes
 * @param head its first bytes (up to {@link Y4mHeader#MAX_HEADER})
 */
record InputBytes(long size, byte[] head) {

    private static final int TIMEOUT_MILLIS = 10_000;
    private static final Pattern CONTENT_RANGE = Pattern.compile("^bytes \\d+-\\d+/(\\d+)$");

    /** What {@code location} holds, or empty when that cannot be learnt (the scoring run then says what is wrong). */
    static Optional<InputBytes> of(String location) {
        try {
            return FilterGraph.isUrl(location) ? url(location) : file(Path.of(FilterGraph.openName(location)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<InputBytes> file(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            return Optional.empty();
        }
        long size = Files.size(path);
        try (InputStream in = Files.newInputStream(path)) {
            return Optional.of(new InputBytes(size, in.readNBytes(Y4mHeader.MAX_HEADER)));
        }
    }

    private static Optional<InputBytes> url(String location) throws IOException {
        URI uri = URI.create(location);
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            return Optional.empty();
        }
        String userInfo = uri.getRawUserInfo();
        URL url = URI.create(userInfo == null ? location
                : location.replaceFirst(Pattern.quote(userInfo + "@"), "")).toURL();
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setConnectTimeout(TIMEOUT_MILLIS);
        c.setReadTimeout(TIMEOUT_MILLIS);
        c.setInstanceFollowRedirects(false);
        c.setRequestProperty("Range", "bytes=0-" + (Y4mHeader.MAX_HEADER - 1));
        if (userInfo != null) {
            String plain = URLDecoder.decode(userInfo.replace("+", "%2B"), StandardCharsets.UTF_8);
            c.setRequestProperty("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            if (c.getResponseCode() != HttpURLConnection.HTTP_PARTIAL) {
                return Optional.empty();
            }
            Matcher m = CONTENT_RANGE.matcher(String.valueOf(c.getHeaderField("Content-Range")));
            if (!m.matches()) {
                return Optional.empty();
            }
            // Not closed before disconnect(): a closed, fully read stream hands its socket to the JDK's keep-alive
            // cache, where it would outlive this look (and the rclone it talks to); disconnect() closes it.
            InputStream in = c.getInputStream();
            return Optional.of(new InputBytes(Long.parseLong(m.group(1)), in.readNBytes(Y4mHeader.MAX_HEADER)));
        } finally {
            c.disconnect();
        }
    }
}
