package io.vmafx.core.serve;

import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.Variable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@code serve} reads: {@code VMAFX_NODE_ADDR}, {@code _PORT}, {@code _SLOTS}, {@code _QUEUE},
 * {@code _TOKEN}, {@code _DRAIN}, the client limits {@code _HEADER_TIMEOUT}, {@code _BODY_TIMEOUT},
 * {@code _MAX_CONNECTIONS}, and what API jobs may read ({@code VMAFX_API_*}, see {@link ApiInputSettings}), or their
 * flags. A bad value is a {@link ConfigException} naming the variable or flag that set it.
 *
 * @param token  absent: no token; required (start-up fails without one) when {@code address} is not loopback
 * @param limits what one client may cost the server
 * @param inputs what API jobs may read beyond configured remotes and plugin schemes
 */
public record ServeSettings(InetAddress address, int port, int slots, int queue, Optional<String> token, Duration drain,
                           ClientLimits limits, ApiInputSettings inputs) {

    /**
     * How long a client may take and how many connections there may be: {@link ApiServer} closes a connection whose
     * request line and headers have not arrived {@code headerTimeout} after it opened (or after its last answer),
     * answers 408 and closes one whose body has not arrived {@code bodyTimeout} after its headers, and accepts at
     * most {@code maxConnections} at once.
     */
    public record ClientLimits(Duration headerTimeout, Duration bodyTimeout, int maxConnections) {
        public static final ClientLimits DEFAULT = new ClientLimits(Duration.ofSeconds(10), Duration.ofSeconds(10), 512);

        public ClientLimits {
            if (headerTimeout.isZero() || headerTimeout.isNegative() || bodyTimeout.isZero() || bodyTimeout.isNegative()) {
                throw new IllegalArgumentException("client timeouts must be positive");
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1");
            }
        }
    }

    /** With the default client limits and no inputs beyond configured remotes and plugins (the load bench's node). */
    public ServeSettings(InetAddress address, int port, int slots, int queue, Optional<String> token, Duration drain) {
        this(address, port, slots, queue, token, drain, ClientLimits.DEFAULT, ApiInputSettings.NONE);
    }

    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_SLOTS = 2;
    public static final int DEFAULT_QUEUE = 32;
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(30);
    /** The most a queue can hold: every queued job is a few hundred bytes, and an unbounded one is no bound. */
    static final int MAX_QUEUE = 100_000;
    static final int MAX_SLOTS = 1_024;
    /** Each connection holds a socket and a few buffers; past this, a bound that does not bound. */
    static final int MAX_CONNECTIONS = 100_000;

    public ServeSettings {
        token.ifPresent(t -> {
            if (t.isBlank()) {
                throw new IllegalArgumentException("token is blank");
            }
        });
    }

    public static ServeSettings from(NodeConfig config) throws ConfigException {
        String addrName = name(config, Variable.NODE_ADDR);
        String addrText = config.get(Variable.NODE_ADDR).map(String::strip).filter(s -> !s.isEmpty()).orElse("127.0.0.1");
        InetAddress address;
        if (!addrText.matches("[0-9.]+|\\[?[0-9a-fA-F:.]+]?")) {
            throw new ConfigException(addrName + ": expected an IP address such as 127.0.0.1 or 0.0.0.0, got '" + addrText + "'");
        }
        try {
            address = InetAddress.getByName(addrText.replace("[", "").replace("]", ""));
        } catch (UnknownHostException e) {
            throw new ConfigException(addrName + ": expected an IP address such as 127.0.0.1 or 0.0.0.0, got '" + addrText + "'");
        }
        int port = integer(config, Variable.NODE_PORT, DEFAULT_PORT, 0, 65535);
        int slots = integer(config, Variable.NODE_SLOTS, DEFAULT_SLOTS, 1, MAX_SLOTS);
        int queue = integer(config, Variable.NODE_QUEUE, DEFAULT_QUEUE, 0, MAX_QUEUE);
        Optional<String> token = config.get(Variable.NODE_TOKEN).filter(s -> !s.isEmpty());
        if (token.isPresent() && (token.get().isBlank() || !token.get().equals(token.get().strip())
                || !token.get().chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            // Never the value itself: it is a secret.
            throw new ConfigException(name(config, Variable.NODE_TOKEN) + ": a token is printable ASCII without spaces");
        }
        if (token.isEmpty() && !address.isLoopbackAddress()) {
            throw new ConfigException(name(config, Variable.NODE_TOKEN) + " is required when the API is bound to "
                    + addrText + " (" + addrName + "), beyond loopback: set a bearer token clients must send");
        }
        Duration drain = duration(config, Variable.NODE_DRAIN, DEFAULT_DRAIN, false);
        ClientLimits limits = new ClientLimits(
                duration(config, Variable.NODE_HEADER_TIMEOUT, ClientLimits.DEFAULT.headerTimeout(), true),
                duration(config, Variable.NODE_BODY_TIMEOUT, ClientLimits.DEFAULT.bodyTimeout(), true),
                integer(config, Variable.NODE_MAX_CONNECTIONS, ClientLimits.DEFAULT.maxConnections(), 1, MAX_CONNECTIONS));
        return new ServeSettings(address, port, slots, queue, token, drain, limits, ApiInputSettings.from(config));
    }

    private static Duration duration(NodeConfig config, Variable v, Duration fallback, boolean positive) throws ConfigException {
        Duration d;
        try {
            d = config.duration(v.env(), fallback);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage().replace(v.env(), name(config, v)));
        }
        if (positive && d.isZero()) {
            throw new ConfigException(name(config, v) + ": must be more than 0 (a limit of nothing would close every connection)");
        }
        return d;
    }

    private static int integer(NodeConfig config, Variable v, int fallback, int min, int max) throws ConfigException {
        Optional<String> text = config.get(v).map(String::strip).filter(s -> !s.isEmpty());
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(text.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new ConfigException(name(config, v) + ": expected a whole number from " + min + " to " + max + ", got '" + text.get() + "'");
    }

    private static String name(NodeConfig config, Variable v) {
        String source = config.sourceOf(v.env());
        return source.equals("default") ? v.env() : source;
    }
}
