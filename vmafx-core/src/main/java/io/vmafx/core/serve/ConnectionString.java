package io.vmafx.core.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The root of an rclone on-the-fly remote, {@code :backend,name=value,name="quoted, value":}, split the way rclone
 * splits it: options at commas outside quotes; a value in {@code "} or {@code '} quotes has the quote doubled
 * inside; an option without {@code =} is {@code true}. Names are compared lower case with {@code -} as {@code _}.
 *
 * @param backend the backend's name, lower case
 * @param options the options in the order written
 */
record ConnectionString(String backend, List<Option> options) {

    /** One option; {@code name} normalized, {@code value} unquoted. */
    record Option(String name, String value) {
    }

    /**
     * Parses {@code root}, which {@link io.vmafx.api.uri.AssetUri} has already accepted as an on-the-fly root
     * ({@code :...:}, maybe followed by {@code /}).
     */
    static ConnectionString parse(String root) {
        String body = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        if (!body.startsWith(":") || !body.endsWith(":") || body.length() < 3) {
            throw new IllegalArgumentException("not an on-the-fly rclone remote");
        }
        body = body.substring(1, body.length() - 1);
        // Split as AssetUri found the root's end: a quote opens wherever it stands, so both agree on where each
        // option ends; a value is then accepted only if it is quoted as a whole or holds no quote at all.
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ',') {
                parts.add(part.toString());
                part.setLength(0);
                continue;
            }
            part.append(c);
        }
        if (quote != 0) {
            throw new IllegalArgumentException("a quoted value is not closed");
        }
        parts.add(part.toString());
        String backend = parts.get(0).strip().toLowerCase(Locale.ROOT);
        List<Option> options = new ArrayList<>();
        for (String p : parts.subList(1, parts.size())) {
            int eq = p.indexOf('=');
            String name = (eq < 0 ? p : p.substring(0, eq)).strip().toLowerCase(Locale.ROOT).replace('-', '_');
            if (!name.matches("[a-z0-9_]+")) {
                throw new IllegalArgumentException("an option name must be letters, digits and '_'");
            }
            options.add(new Option(name, eq < 0 ? "true" : unquote(name, p.substring(eq + 1))));
        }
        return new ConnectionString(backend, List.copyOf(options));
    }

    /** The value without its quotes; a quote anywhere but around the whole value is refused (rclone would read it otherwise). */
    private static String unquote(String name, String v) {
        if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
            String q = String.valueOf(v.charAt(0));
            String inner = v.substring(1, v.length() - 1);
            if (!inner.replace(q + q, "").contains(q)) {
                return inner.replace(q + q, q);
            }
        }
        if (v.indexOf('"') >= 0 || v.indexOf('\'') >= 0) {
            throw new IllegalArgumentException("option '" + name + "': quotes go around a whole value only");
        }
        return v;
    }
}
