package io.vmafx.storage.httpserve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.junit.jupiter.api.Test;

class UrlPathsTest {

    @Test
    void escapesEachSegmentAsUtf8() {
        assertEquals("dir/my%20clip%20%C3%A9.bin", UrlPaths.escape("dir/my clip é.bin"));
        assertEquals("a/%23%3F%25%2B%26%3D%3A%40%3B/b", UrlPaths.escape("a/#?%+&=:@;/b"));
        assertEquals("%F0%9F%8E%AC-._~", UrlPaths.escape("🎬-._~"));
        assertEquals("%E2%80%AEtxt", UrlPaths.escape("\u202Etxt"));
    }

    @Test
    void aUrlParserGetsTheNameBack() {
        String name = "dir/weird #1?%+&é 🎬.mp4";
        assertEquals("/" + name, URI.create("http://127.0.0.1:1/" + UrlPaths.escape(name)).getPath());
    }
}
