package io.vmafx.bypass.ebpf.probe;

import java.util.Arrays;

/**
 * The probe's log2 histogram of read latencies, over every counted read of every watched FUSE file: bucket
 * {@code i} counts reads that took {@code [2^i, 2^(i+1))} nanoseconds (bucket 0 also those under 1 ns).
 */
public final class LatencyHistogram {

    private final long[] buckets;

    LatencyHistogram(long[] buckets) {
        this.buckets = buckets.clone();
    }

    /** The counts, one per bucket. */
    public long[] buckets() {
        return buckets.clone();
    }

    /** Reads counted. */
    public long count() {
        return Arrays.stream(buckets).sum();
    }

    /** The lower bound of bucket {@code i} in nanoseconds. */
    public static long lowerBoundNanos(int i) {
        return i == 0 ? 0 : 1L << i;
    }

    /** The upper bound (exclusive) of bucket {@code i} in nanoseconds. */
    public static long upperBoundNanos(int i) {
        return i >= 63 ? Long.MAX_VALUE : 1L << (i + 1);
    }

    /** An upper bound of the {@code p}-quantile (0 < p <= 1): the upper bound of the bucket that holds it; 0 when empty. */
    public long quantileUpperBoundNanos(double p) {
        long total = count();
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(p * total);
        long seen = 0;
        for (int i = 0; i < buckets.length; i++) {
            seen += buckets[i];
            if (seen >= rank) {
                return upperBoundNanos(i);
            }
        }
        return upperBoundNanos(buckets.length - 1);
    }

    /** What was counted after {@code baseline}. */
    public LatencyHistogram minus(LatencyHistogram baseline) {
        long[] d = new long[buckets.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.max(0, buckets[i] - (i < baseline.buckets.length ? baseline.buckets[i] : 0));
        }
        return new LatencyHistogram(d);
    }

    /** One line per non-empty bucket: {@code [lower, upper) ns  count}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("read latency (" + count() + " reads)");
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] != 0) {
                b.append(String.format("%n  [%s, %s)  %d", human(lowerBoundNanos(i)), human(upperBoundNanos(i)), buckets[i]));
            }
        }
        return b.toString();
    }

    private static String human(long ns) {
        if (ns >= 1_000_000_000L) {
            return (ns / 1_000_000_000L) + " s";
        }
        if (ns >= 1_000_000L) {
            return (ns / 1_000_000L) + " ms";
        }
        if (ns >= 1_000L) {
            return (ns / 1_000L) + " us";
        }
        return ns + " ns";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatencyHistogram h && Arrays.equals(buckets, h.buckets);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(buckets);
    }
}
