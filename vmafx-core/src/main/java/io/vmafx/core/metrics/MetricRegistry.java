package io.vmafx.core.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The node's metric families, in the order they were registered, and their exposition as Prometheus text.
 * Counters and histograms are recorded as things happen; gauges (and counters another component keeps, such as
 * a provider's) are read when the metrics are written, through a callback.
 */
public final class MetricRegistry {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** A counter family: {@code name} must end in {@code _total}. */
    public synchronized Counter counter(String name, String help, String... labels) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        Counter c = new Counter(name, help, labels);
        add(c);
        return c;
    }

    /** A histogram family with these upper bounds ({@code +Inf} is added). */
    public synchronized Histogram histogram(String name, String help, double[] buckets, String... labels) {
        Histogram h = new Histogram(name, help, buckets, labels);
        add(h);
        return h;
    }

    /**
     * A family whose samples are read when the metrics are written: {@code collect} gets a sink and puts each
     * sample in it with its label values (in the order of {@code labels}).
     *
     * @param type {@code gauge} or {@code counter}
     */
    public synchronized void callback(String name, String type, String help, Consumer<Sink> collect, String... labels) {
        if (!type.equals("gauge") && !type.equals("counter")) {
            throw new IllegalArgumentException("callback type is gauge or counter: " + type);
        }
        add(new Callback(name, type, help, labels, collect));
    }

    private void add(Family f) {
        if (!NAME.matcher(f.name).matches()) {
            throw new IllegalArgumentException("not a metric name: " + f.name);
        }
        for (String l : f.labels) {
            if (!LABEL.matcher(l).matches() || l.startsWith("__") || l.equals("le")) {
                throw new IllegalArgumentException("not a label name for " + f.name + ": " + l);
            }
        }
        if (families.putIfAbsent(f.name, f) != null) {
            throw new IllegalArgumentException("metric registered twice: " + f.name);
        }
    }

    /** Every family in the text exposition format, version 0.0.4. */
    public String write() {
        List<Family> all;
        synchronized (this) {
            all = new ArrayList<>(families.values());
        }
        StringBuilder b = new StringBuilder(4096);
        for (Family f : all) {
            b.append("# HELP ").append(f.name).append(' ').append(escapeHelp(f.help)).append('\n');
            b.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
            f.write(b);
        }
        return b.toString();
    }

    /** Where a callback puts its samples. */
    public interface Sink {
        /** One sample with the family's label values, in order. */
        void sample(Number value, String... labelValues);
    }

    private abstract static class Family {
        final String name;
        final String type;
        final String help;
        final String[] labels;

        Family(String name, String type, String help, String[] labels) {
            this.name = name;
            this.type = type;
            this.help = Objects.requireNonNull(help);
            this.labels = labels.clone();
        }

        abstract void write(StringBuilder b);

        List<String> key(String[] values) {
            if (values.length != labels.length) {
                throw new IllegalArgumentException(name + " has labels " + Arrays.toString(labels) + ", got values " + Arrays.toString(values));
            }
            for (String v : values) {
                Objects.requireNonNull(v, "label value");
            }
            return List.of(values);
        }

        void sample(StringBuilder b, String suffix, List<String> values, String extraName, String extraValue, Number v) {
            b.append(name).append(suffix);
            if (!values.isEmpty() || extraName != null) {
                b.append('{');
                for (int i = 0; i < values.size(); i++) {
                    b.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(escapeLabel(values.get(i))).append('"');
                }
                if (extraName != null) {
                    b.append(values.isEmpty() ? "" : ",").append(extraName).append("=\"").append(extraValue).append('"');
                }
                b.append('}');
            }
            b.append(' ').append(format(v)).append('\n');
        }
    }

    /** A monotonic counter family. */
    public static final class Counter extends Family {
        private final Map<List<String>, DoubleAdder> children = new ConcurrentSkipListMap<>(MetricRegistry::compare);

        Counter(String name, String help, String[] labels) {
            super(name, "counter", help, labels);
        }

        /** Makes the series with these label values exist (at 0) so that it is exposed before its first event. */
        public Counter touch(String... labelValues) {
            children.computeIfAbsent(key(labelValues), k -> new DoubleAdder());
            return this;
        }

        public void inc(String... labelValues) {
            add(1, labelValues);
        }

        public void add(double amount, String... labelValues) {
            if (amount < 0 || Double.isNaN(amount)) {
                throw new IllegalArgumentException(name + ": a counter only goes up, got " + amount);
            }
            children.computeIfAbsent(key(labelValues), k -> new DoubleAdder()).add(amount);
        }

        /** The current value of one series (0 when it has none). */
        public double value(String... labelValues) {
            DoubleAdder a = children.get(key(labelValues));
            return a == null ? 0 : a.sum();
        }

        @Override
        void write(StringBuilder b) {
            children.forEach((k, v) -> sample(b, "", k, null, null, v.sum()));
        }
    }

    /** A histogram family: cumulative buckets, sum and count per label set. */
    public static final class Histogram extends Family {
        private final double[] bounds;
        private final Map<List<String>, Series> children = new ConcurrentSkipListMap<>(MetricRegistry::compare);

        Histogram(String name, String help, double[] bounds, String[] labels) {
            super(name, "histogram", help, labels);
            double[] b = bounds.clone();
            for (int i = 0; i < b.length; i++) {
                if (!Double.isFinite(b[i]) || (i > 0 && b[i] <= b[i - 1])) {
                    throw new IllegalArgumentException(name + ": bucket bounds must be finite and increasing: " + Arrays.toString(b));
                }
            }
            this.bounds = b;
        }

        /** Makes the series exist (all zero) so that it is exposed before its first observation. */
        public Histogram touch(String... labelValues) {
            children.computeIfAbsent(key(labelValues), k -> new Series(bounds.length));
            return this;
        }

        public void observe(double value, String... labelValues) {
            Series s = children.computeIfAbsent(key(labelValues), k -> new Series(bounds.length));
            int i = 0;
            while (i < bounds.length && value > bounds[i]) {
                i++;
            }
            s.buckets[i].increment(); // non-cumulative here; cumulated when written
            s.sum.add(value);
            s.count.increment();
        }

        /** How many observations one series has. */
        public long count(String... labelValues) {
            Series s = children.get(key(labelValues));
            return s == null ? 0 : s.count.sum();
        }

        @Override
        void write(StringBuilder b) {
            children.forEach((k, s) -> {
                long cumulative = 0;
                for (int i = 0; i < bounds.length; i++) {
                    cumulative += s.buckets[i].sum();
                    sample(b, "_bucket", k, "le", format(bounds[i]), cumulative);
                }
                cumulative += s.buckets[bounds.length].sum();
                sample(b, "_bucket", k, "le", "+Inf", cumulative);
                sample(b, "_sum", k, null, null, s.sum.sum());
                // _count equals the +Inf bucket: both derive from the same snapshot of the buckets.
                sample(b, "_count", k, null, null, cumulative);
            });
        }

        private static final class Series {
            final LongAdder[] buckets;
            final DoubleAdder sum = new DoubleAdder();
            final LongAdder count = new LongAdder();

            Series(int bounds) {
                buckets = new LongAdder[bounds + 1];
                for (int i = 0; i < buckets.length; i++) {
                    buckets[i] = new LongAdder();
                }
            }
        }
    }

    private static final class Callback extends Family {
        private final Consumer<Sink> collect;

        Callback(String name, String type, String help, String[] labels, Consumer<Sink> collect) {
            super(name, type, help, labels);
            this.collect = collect;
        }

        @Override
        void write(StringBuilder b) {
            Map<List<String>, Number> samples = new ConcurrentHashMap<>();
            List<List<String>> order = new ArrayList<>();
            collect.accept((value, labelValues) -> {
                List<String> k = key(labelValues);
                if (samples.put(k, value) == null) {
                    order.add(k);
                }
            });
            for (List<String> k : order) {
                sample(b, "", k, null, null, samples.get(k));
            }
        }
    }

    private static int compare(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** A sample value: integers without a fraction, {@code +Inf}, {@code -Inf}, {@code NaN} as the format spells them. */
    static String format(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return Long.toString(n.longValue());
        }
        double d = n.doubleValue();
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    /** A label value: backslash, double quote and line feed escaped. */
    static String escapeLabel(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** A HELP text: backslash and line feed escaped. */
    static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
