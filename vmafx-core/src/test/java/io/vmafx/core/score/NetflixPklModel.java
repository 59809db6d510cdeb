package io.vmafx.core.score;

import com.fasterxml.jackson.jr.ob.JSON;

import io.vmafx.core.testing.TestMedia;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Netflix's {@code vmaf_v0.6.1.pkl} (with its libsvm {@code .pkl.model}) from the project's shared directory turned
 * into the libvmaf 2.x JSON model format, so that the tests have a real model file to hand the scorer: libvmaf's JSON
 * is the pickle's {@code model_dict} and {@code param_dict} with the libsvm text under {@code model_dict.model}
 * (which is how Netflix made {@code vmaf_float_v0.6.1.json}). With the integer extractors' feature names it is the
 * model libvmaf 2.x has built in as {@code vmaf_v0.6.1}.
 *
 * <p>Reads the pickle itself: protocol 0, the text form Python 2 wrote, with the few opcodes a dict of lists,
 * strings and floats needs; anything else fails loudly.
 */
final class NetflixPklModel {

    private NetflixPklModel() {
    }

    /** The shared pickle; fails the test, naming where it should be, when it is missing. */
    static Path pkl() {
        Path pkl = TestMedia.root().resolve("../shared/vmaf/vmaf_v0.6.1.pkl").normalize();
        if (!Files.isRegularFile(pkl) || !Files.isRegularFile(Path.of(pkl + ".model"))) {
            throw new AssertionError("Netflix's model " + pkl + " (with its .pkl.model) is missing: it comes with the"
                    + " project's shared directory beside the repository");
        }
        return pkl;
    }

    /** The model with the integer feature extractors (libvmaf 2.x's built-in {@code vmaf_v0.6.1}), written to {@code out}. */
    static Path writeIntegerModel(Path out) throws IOException {
        return write(out, true);
    }

    /**
     * The model as the pickle names its features ({@code VMAF_feature_*}: the float extractors, as in Netflix's
     * {@code vmaf_float_v0.6.1.json}), written to {@code out}.
     */
    static Path writeFloatModel(Path out) throws IOException {
        return write(out, false);
    }

    @SuppressWarnings("unchecked")
    private static Path write(Path out, boolean integer) throws IOException {
        Path pkl = pkl();
        Map<String, Object> root = (Map<String, Object>) unpickle(Files.readString(pkl, StandardCharsets.ISO_8859_1));
        Map<String, Object> model = (Map<String, Object>) root.get("model_dict");
        model.put("model", Files.readString(Path.of(pkl + ".model"), StandardCharsets.US_ASCII));
        if (integer) {
            List<String> names = new ArrayList<>();
            for (Object name : (List<Object>) model.get("feature_names")) {
                names.add(((String) name).replace("VMAF_feature_", "VMAF_integer_feature_"));
            }
            model.put("feature_names", names);
        }
        return Files.writeString(out, JSON.std.asString(root), StandardCharsets.UTF_8);
    }

    /** The object a protocol-0 pickle holds. */
    static Object unpickle(String text) {
        Object mark = new Object();
        List<Object> stack = new ArrayList<>();
        Map<String, Object> memo = new LinkedHashMap<>();
        int i = 0;
        while (i < text.length()) {
            char op = text.charAt(i++);
            int eol = text.indexOf('\n', i);
            switch (op) {
                case '(' -> stack.add(mark);
                case 'd', 'l' -> {
                    int m = stack.lastIndexOf(mark);
                    List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
                    stack.subList(m, stack.size()).clear();
                    if (op == 'l') {
                        stack.add(items);
                    } else {
                        Map<Object, Object> dict = new LinkedHashMap<>();
                        for (int k = 0; k < items.size(); k += 2) {
                            dict.put(items.get(k), items.get(k + 1));
                        }
                        stack.add(dict);
                    }
                }
                case 'p' -> {
                    memo.put(text.substring(i, eol), stack.get(stack.size() - 1));
                    i = eol + 1;
                }
                case 'g' -> {
                    stack.add(memo.get(text.substring(i, eol)));
                    i = eol + 1;
                }
                case 'S' -> {
                    stack.add(pythonString(text.substring(i, eol)));
                    i = eol + 1;
                }
                case 'F' -> {
                    stack.add(Double.parseDouble(text.substring(i, eol)));
                    i = eol + 1;
                }
                case 'I' -> {
                    stack.add(Long.parseLong(text.substring(i, eol)));
                    i = eol + 1;
                }
                case 'N' -> stack.add(null);
                case 's' -> {
                    Object value = stack.remove(stack.size() - 1);
                    Object key = stack.remove(stack.size() - 1);
                    castMap(stack.get(stack.size() - 1)).put(key, value);
                }
                case 'a' -> {
                    Object value = stack.remove(stack.size() - 1);
                    castList(stack.get(stack.size() - 1)).add(value);
                }
                case '.' -> {
                    return stack.get(stack.size() - 1);
                }
                default -> throw new IllegalArgumentException("pickle opcode '" + op + "' at " + (i - 1)
                        + " is not one this reader knows");
            }
        }
        throw new IllegalArgumentException("pickle without STOP");
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> castMap(Object o) {
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object o) {
        return (List<Object>) o;
    }

    /** A Python 2 {@code repr} of a str: quoted, with backslash escapes. */
    private static String pythonString(String repr) {
        char quote = repr.charAt(0);
        if ((quote != '\'' && quote != '"') || repr.charAt(repr.length() - 1) != quote) {
            throw new IllegalArgumentException("not a quoted string: " + repr);
        }
        StringBuilder s = new StringBuilder();
        for (int i = 1; i < repr.length() - 1; i++) {
            char c = repr.charAt(i);
            if (c != '\\') {
                s.append(c);
                continue;
            }
            char e = repr.charAt(++i);
            switch (e) {
                case 'n' -> s.append('\n');
                case 't' -> s.append('\t');
                case 'r' -> s.append('\r');
                case 'x' -> {
                    s.append((char) Integer.parseInt(repr.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> s.append(e);
            }
        }
        return s.toString();
    }
}
