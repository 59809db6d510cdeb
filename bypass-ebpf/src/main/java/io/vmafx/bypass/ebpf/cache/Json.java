package io.vmafx.bypass.ebpf.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What rclone writes (vfsMeta files, {@code lsjson --stat}, {@code backend features}), read strictly with
 * jackson-jr: objects become {@link Map}s, arrays {@link List}s, integers {@link Long}, other numbers
 * {@link Double}; trailing text, duplicate keys and nesting deeper than rclone ever writes are errors.
 */
final class Json {

    /** The text is not JSON; the message says where. */
    static final class ParseException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ParseException(String message) {
            super(message);
        }
    }

    /** Nesting limit: rclone's documents are three levels deep. */
    private static final int MAX_DEPTH = 64;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build();
    private static final JSON READER = JSON.builder(FACTORY).enable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS).build();

    private Json() {
    }

    /** The value {@code text} holds, which must be all of it. */
    static Object parse(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            Object value = READER.anyFrom(parser);
            if (parser.nextToken() != null) {
                throw new ParseException("unexpected text after the value at " + parser.currentLocation().offsetDescription());
            }
            return normalized(value);
        } catch (IOException e) {
            throw new ParseException(e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** {@link #parse}, which must give an object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new ParseException("expected a JSON object, got " + kind(v));
        }
        return (Map<String, Object>) v;
    }

    /** How a value is described in messages: "an object", "a string", ... */
    static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        return "a number";
    }

    /** Integers of every width as Long, decimals as Double, recursively: what callers compare against. */
    private static Object normalized(Object v) {
        if (v instanceof Map) {
            Map<String, Object> m = new LinkedHashMap<>();
            ((Map<?, ?>) v).forEach((k, x) -> m.put((String) k, normalized(x)));
            return m;
        }
        if (v instanceof List) {
            List<Object> l = new ArrayList<>();
            ((List<?>) v).forEach(x -> l.add(normalized(x)));
            return l;
        }
        if (v instanceof BigInteger) {
            BigInteger b = (BigInteger) v;
            if (b.bitLength() > 63) {
                throw new ParseException("the integer " + b + " is too large");
            }
            return b.longValue();
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigDecimal || v instanceof Float) {
            return ((Number) v).doubleValue();
        }
        return v;
    }
}
