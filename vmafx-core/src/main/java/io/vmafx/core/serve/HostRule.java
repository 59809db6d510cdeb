package io.vmafx.core.serve;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One entry of {@code VMAFX_API_HOSTS}: a host name or IP address as written ({@code media.example.com},
 * {@code 10.0.0.5}, {@code [fd00::5]}), optionally with a port, or {@code *} for any host. Names are compared as
 * text, case-insensitively and without a trailing dot, and never resolved: {@code 127.1} or {@code 2130706433}
 * (other spellings of 127.0.0.1 that resolvers accept) match no entry but themselves.
 *
 * @param host the host in lower case, IPv6 without brackets; {@code *} for any
 * @param port the port, or -1 for any port
 */
record HostRule(String host, int port) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+");

    static final HostRule ANY = new HostRule("*", -1);

    /** Parses one entry; the message of the exception says what is wrong with it (the caller names the variable). */
    static HostRule parse(String entry) {
        String e = entry.strip();
        if (e.equals("*")) {
            return ANY;
        }
        String host;
        String port = null;
        if (e.startsWith("[")) {
            int close = e.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + entry + "': unclosed '[' of an IPv6 address");
            }
            host = e.substring(1, close);
            String rest = e.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + entry + "': expected :port after the address");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = e.lastIndexOf(':');
            if (colon >= 0 && e.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + entry + "': an IPv6 address goes in brackets ([fd00::5]:8080)");
            }
            host = colon < 0 ? e : e.substring(0, colon);
            port = colon < 0 ? null : e.substring(colon + 1);
        }
        Optional<String> normal = normalize(host);
        if (normal.isEmpty()) {
            throw new IllegalArgumentException("'" + entry + "' is not a host name or IP address");
        }
        int p = -1;
        if (port != null) {
            p = port(port);
            if (p < 0) {
                throw new IllegalArgumentException("'" + entry + "': the port is not a number from 1 to 65535");
            }
        }
        return new HostRule(normal.get(), p);
    }

    /** Whether this entry lets a job connect to {@code host} (as {@link #normalize} gives it) on {@code port}. */
    boolean allows(String host, int port) {
        return (this.host.equals("*") || this.host.equals(host)) && (this.port < 0 || this.port == port);
    }

    /** A host as the rules compare it: lower case, no brackets, no trailing dot; empty when it is no host at all. */
    static Optional<String> normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.contains(":")) {
            return IPV6.matcher(h).matches() ? Optional.of(h) : Optional.empty();
        }
        return h.length() <= 253 && NAME.matcher(h).matches() ? Optional.of(h) : Optional.empty();
    }

    /** The port, or -1 when the text is not one. */
    static int port(String text) {
        if (!text.matches("\\d{1,5}")) {
            return -1;
        }
        int p = Integer.parseInt(text);
        return p >= 1 && p <= 65535 ? p : -1;
    }

    @Override
    public String toString() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return port < 0 ? h : h + ":" + port;
    }
}
