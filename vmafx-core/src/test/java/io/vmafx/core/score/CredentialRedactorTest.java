package io.vmafx.core.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The redactor removes what the old regular expression removed, and a hostile megabyte costs it no more than a
 * linear scan.
 */
class CredentialRedactorTest {

    /** What the redactor replaced; still the definition of what it must do, on inputs small enough for it. */
    private static final Pattern REFERENCE = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\\s]*@");

    private static String reference(String text) {
        return text.indexOf("://") < 0 ? text : REFERENCE.matcher(text).replaceAll("$1***@");
    }

    @Test
    void redactsTheUserInfoOfEveryUrl() {
        assertEquals("a s3://***@bucket/k and ftp://***@h/x", CredentialRedactor.redact("a s3://k:s@bucket/k and ftp://u@h/x"));
        assertEquals("http://***@host/p", CredentialRedactor.redact("http://a@b:c@host/p"), "up to the last @ of the authority");
        assertEquals("x+1.y-z://***@h", CredentialRedactor.redact("x+1.y-z://u:p@h"));
        assertEquals("1a://***@h", CredentialRedactor.redact("1a://u@h"), "the scheme starts at a letter");
        assertEquals("/plain/path:with@at", CredentialRedactor.redact("/plain/path:with@at"));
        assertEquals("http://host/p?q=a@b", CredentialRedactor.redact("http://host/p?q=a@b"));
        assertEquals("1://u@h", CredentialRedactor.redact("1://u@h"), "no letter, no scheme");
        assertEquals("://u@h", CredentialRedactor.redact("://u@h"));
        assertEquals(null, CredentialRedactor.redact(null));
    }

    @Test
    void agreesWithTheRegularExpressionOnRandomText() {
        Random random = new Random(20260101);
        String alphabet = "a1+.-:/@?# \t\nZ%";
        for (int n = 0; n < 50_000; n++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(24);
            for (int i = 0; i < length; i++) {
                // "://" often enough that most strings hold a URL or two
                if (random.nextInt(6) == 0) {
                    b.append("://");
                } else {
                    b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String s = b.toString();
            assertEquals(reference(s), CredentialRedactor.redact(s), () -> "input: '" + s.replace("\n", "\\n").replace("\t", "\\t") + "'");
        }
    }

    /**
     * Megabyte inputs shaped to make the old pattern backtrack (a long run of scheme characters before or after a
     * {@code ://}, many {@code @}, many {@code ://}): all of them, in one thread, well within a bound that only a
     * super-linear scan would exceed (the old pattern took 16 s for one 60 KB run on the build machine).
     */
    @Test
    void aHostileMegabyteIsRedactedInLinearTime() throws Exception {
        int mb = 1 << 20;
        List<String> hostile = List.of(
                "http://" + "a".repeat(mb),
                "a".repeat(mb) + "://",
                "http://x/" + "a".repeat(mb),
                "a://".repeat(mb / 4),
                "http://" + "@".repeat(mb),
                "http://" + "a@".repeat(mb / 2) + "/",
                ("a".repeat(1000) + "://" + "b@".repeat(500) + " ").repeat(mb / 2000));
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<List<String>> done = thread.submit(() -> {
                List<String> out = new ArrayList<>();
                for (String s : hostile) {
                    out.add(CredentialRedactor.redact(s));
                }
                return out;
            });
            List<String> out;
            try {
                out = done.get(60, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                done.cancel(true);
                throw new AssertionError("redacting 7 MB of hostile text did not finish within 60 s: not a linear scan");
            }
            assertEquals(hostile.get(0), out.get(0), "nothing to redact: the same text");
            assertEquals(hostile.get(1), out.get(1));
            assertEquals("http://***@", out.get(4));
            assertEquals("http://***@/", out.get(5));
            assertFalse(out.get(6).contains("b@b"), "every URL's user info is gone");
            assertTrue(out.get(6).startsWith("a".repeat(1000) + "://***@ "), () -> out.get(6).substring(0, 1100));
        } finally {
            thread.shutdownNow();
        }
    }
}
