package io.vmafx.core.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.Variable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeSettingsTest {

    @TempDir
    Path home;

    private ServeSettings settings(Map<String, String> env, Map<Variable, String> flags) throws ConfigException {
        return ServeSettings.from(NodeConfig.load(env, flags, home));
    }

    private String refused(Map<String, String> env, Map<Variable, String> flags) {
        return assertThrows(ConfigException.class, () -> settings(env, flags)).getMessage();
    }

    @Test
    void defaultsBindLoopbackWithoutAToken() throws Exception {
        ServeSettings s = settings(Map.of(), Map.of());
        assertEquals("127.0.0.1", s.address().getHostAddress());
        assertEquals(8080, s.port());
        assertEquals(2, s.slots());
        assertEquals(32, s.queue());
        assertEquals(Optional.empty(), s.token());
        assertEquals(Duration.ofSeconds(30), s.drain());
        ServeSettings set = settings(Map.of("VMAFX_NODE_SLOTS", "4", "VMAFX_NODE_QUEUE", "0", "VMAFX_NODE_DRAIN", "2m",
                "VMAFX_NODE_TOKEN", "abc", "VMAFX_NODE_ADDR", "0.0.0.0"), Map.of(Variable.NODE_PORT, "0"));
        assertEquals(4, set.slots());
        assertEquals(0, set.queue());
        assertEquals(0, set.port());
        assertEquals(Duration.ofMinutes(2), set.drain());
        assertEquals(Optional.of("abc"), set.token());
        assertEquals(new ServeSettings.ClientLimits(Duration.ofSeconds(10), Duration.ofSeconds(10), 512), s.limits());
        assertEquals(ApiInputSettings.NONE, s.inputs());
        ServeSettings limited = settings(Map.of("VMAFX_NODE_HEADER_TIMEOUT", "500ms", "VMAFX_NODE_MAX_CONNECTIONS", "8"),
                Map.of(Variable.NODE_BODY_TIMEOUT, "2s"));
        assertEquals(new ServeSettings.ClientLimits(Duration.ofMillis(500), Duration.ofSeconds(2), 8), limited.limits());
    }

    @Test
    void badValuesNameTheVariableOrFlag() {
        assertEquals("VMAFX_NODE_TOKEN is required when the API is bound to 0.0.0.0 (VMAFX_NODE_ADDR), beyond loopback: "
                + "set a bearer token clients must send", refused(Map.of("VMAFX_NODE_ADDR", "0.0.0.0"), Map.of()));
        assertEquals("VMAFX_NODE_TOKEN is required when the API is bound to 10.0.0.7 (--addr), beyond loopback: "
                + "set a bearer token clients must send", refused(Map.of(), Map.of(Variable.NODE_ADDR, "10.0.0.7")));
        assertEquals("--slots: expected a whole number from 1 to 1024, got '0'", refused(Map.of(), Map.of(Variable.NODE_SLOTS, "0")));
        assertEquals("VMAFX_NODE_PORT: expected a whole number from 0 to 65535, got '80x'", refused(Map.of("VMAFX_NODE_PORT", "80x"), Map.of()));
        assertEquals("VMAFX_NODE_QUEUE: expected a whole number from 0 to 100000, got '-1'", refused(Map.of("VMAFX_NODE_QUEUE", "-1"), Map.of()));
        assertEquals("VMAFX_NODE_ADDR: expected an IP address such as 127.0.0.1 or 0.0.0.0, got 'example.com'",
                refused(Map.of("VMAFX_NODE_ADDR", "example.com"), Map.of()));
        assertEquals("--drain: expected a duration such as 500ms, 15s, 2m or 1h, got 'soon'", refused(Map.of(), Map.of(Variable.NODE_DRAIN, "soon")));
        assertEquals("--header-timeout: must be more than 0 (a limit of nothing would close every connection)",
                refused(Map.of(), Map.of(Variable.NODE_HEADER_TIMEOUT, "0")));
        assertEquals("VMAFX_NODE_BODY_TIMEOUT: expected a duration such as 500ms, 15s, 2m or 1h, got 'never'",
                refused(Map.of("VMAFX_NODE_BODY_TIMEOUT", "never"), Map.of()));
        assertEquals("VMAFX_NODE_MAX_CONNECTIONS: expected a whole number from 1 to 100000, got '0'",
                refused(Map.of("VMAFX_NODE_MAX_CONNECTIONS", "0"), Map.of()));
        String secret = "has space";
        String m = refused(Map.of("VMAFX_NODE_TOKEN", secret), Map.of());
        assertEquals("VMAFX_NODE_TOKEN: a token is printable ASCII without spaces", m, "the message never shows the token");
    }
}
