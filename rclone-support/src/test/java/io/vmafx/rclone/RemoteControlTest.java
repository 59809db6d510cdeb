package io.vmafx.rclone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vmafx.spi.storage.RcloneControl;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the providers turn a pooled rclone's remote control on and find it; what the prepare's stat reads from it. */
class RemoteControlTest {

    @Test
    void theFlagsBindLoopbackWithAuthentication_theCredentialsGoInTheEnvironmentOnly() {
        RemoteControl rc = RemoteControl.random();
        String args = String.join(" ", rc.args());
        assertEquals("--rc --rc-addr 127.0.0.1:0 --rc-no-auth=false --rc-serve=false --rc-web-gui=false --rc-htpasswd=", args);
        Map<String, String> env = rc.environment();
        assertEquals(2, env.size());
        assertTrue(env.get("RCLONE_RC_USER").startsWith("vmafx-"));
        assertTrue(env.get("RCLONE_RC_PASS").length() >= 32, "192 bits, base64");
        assertFalse(args.contains(env.get("RCLONE_RC_PASS")));
        assertNotEquals(env.get("RCLONE_RC_PASS"), RemoteControl.random().environment().get("RCLONE_RC_PASS"));
        assertFalse(rc.toString().contains(env.get("RCLONE_RC_PASS")));
    }

    @Test
    void theEndpointIsWhatRcloneLogged_withTheBasicHeaderOfTheseCredentials() {
        RemoteControl rc = RemoteControl.random();
        Optional<RcloneControl> c = rc.endpoint("NOTICE: Serving remote control on http://127.0.0.1:40109/ | other");
        assertEquals("http://127.0.0.1:40109/", c.orElseThrow().url().toString());
        String expected = rc.environment().get("RCLONE_RC_USER") + ":" + rc.environment().get("RCLONE_RC_PASS");
        assertEquals("Basic " + Base64.getEncoder().encodeToString(expected.getBytes()), c.get().authorization());
        assertFalse(c.get().toString().contains(c.get().authorization().substring(6)));
        assertEquals(Optional.empty(), rc.endpoint("NOTICE: Serving remote control on http://0.0.0.0:40109/"), "never anything but loopback");
        assertEquals(Optional.empty(), rc.endpoint("NOTICE: Serving remote control on http://127.0.0.1:99999/"));
        assertEquals(Optional.empty(), rc.endpoint(""));
    }

    @Test
    void anEnvironmentThatHidesNoticeLines_getsNoRemoteControl() {
        assertTrue(RemoteControl.forEnvironment(Map.of()).isPresent());
        assertTrue(RemoteControl.forEnvironment(Map.of("RCLONE_LOG_LEVEL", "DEBUG")).isPresent());
        assertTrue(RemoteControl.forEnvironment(Map.of("RCLONE_LOG_LEVEL", "error")).isEmpty());
        assertTrue(RemoteControl.forEnvironment(Map.of("RCLONE_QUIET", "true")).isEmpty());
    }

    @Test
    void operationsStatAnswers() {
        assertEquals(RemoteStat.Kind.MISSING, RemoteStat.parseRc("{\n\t\"item\": null\n}").kind());
        RemoteStat f = RemoteStat.parseRc("{\n\t\"item\": {\n\t\t\"Path\": \"a.bin\",\n\t\t\"Name\": \"a.bin\",\n\t\t\"Size\": 104857600,\n"
                + "\t\t\"ModTime\": \"2026-12-04T19:34:09.327461210Z\",\n\t\t\"IsDir\": false\n\t}\n}");
        assertEquals(new RemoteStat(RemoteStat.Kind.FILE, 104857600, "2026-12-04T19:34:09.327461210Z", ""), f);
        assertEquals(RemoteStat.Kind.DIRECTORY, RemoteStat.parseRc("{\"item\": {\"Path\": \"d\", \"Size\": -1, \"IsDir\": true}}").kind());
        assertEquals(RemoteStat.Kind.UNKNOWN, RemoteStat.parseRc("{\"error\": \"x\"}").kind());
    }
}
