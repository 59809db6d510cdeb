package io.vmafx.core.bench;

import io.vmafx.core.config.ConfigException;
import io.vmafx.core.config.NodeConfig;
import io.vmafx.core.config.Variable;
import io.vmafx.core.discovery.DiscoveryException;
import io.vmafx.core.discovery.ProviderRegistry;
import io.vmafx.core.node.Node;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * What the benches share: the random asset, whole-file reads with a 64 KiB buffer (checked or timed), the rclone
 * version line, a free-space check, a fresh node, and the number formats of their tables.
 */
final class BenchIo {

    /** The read buffer, as ffmpeg's own reads are of this order. */
    static final int BUFFER = 64 * 1024;

    private BenchIo() {
    }

    /**
     * Opens one read of the whole asset, as a channel: reads go straight into the bench's direct buffer, as a C
     * reader's (ffmpeg's) go into its own; a {@code FileInputStream} would copy each 64 KiB through a temporary
     * native buffer into a Java array, doubling the memory traffic and flattering slow paths in the ratios.
     */
    interface Opener {
        ReadableByteChannel open() throws IOException;

        static Opener file(Path p) {
            return () -> FileChannel.open(p, StandardOpenOption.READ);
        }

        /** A stream's bytes (HTTP): the stream's own copying is part of that path's cost. */
        static Opener stream(Callable<InputStream> in) {
            return () -> {
                try {
                    return Channels.newChannel(in.call());
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e.getMessage(), e);
                }
            };
        }
    }

    /** A read buffer of {@link #BUFFER} bytes outside the Java heap. */
    static ByteBuffer buffer() {
        return ByteBuffer.allocateDirect(BUFFER);
    }

    /** Reads everything {@code opener} gives, into {@code crc} when not null; the byte count. */
    static long read(Opener opener, ByteBuffer buffer, CRC32 crc) throws IOException {
        long total = 0;
        try (ReadableByteChannel in = opener.open()) {
            int n;
            buffer.clear();
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                buffer.flip();
                if (crc != null) {
                    crc.update(buffer);
                }
                buffer.clear();
            }
        }
        return total;
    }

    /** One untimed read that checks the content: {@code size} bytes with CRC-32 {@code crc}, else an IOException. */
    static void check(Opener opener, long size, long crc, String what) throws IOException {
        CRC32 check = new CRC32();
        long n = read(opener, buffer(), check);
        if (n != size || check.getValue() != crc) {
            throw new IOException("reading " + what + " gave " + n + " bytes with CRC-32 " + Long.toHexString(check.getValue())
                    + ", expected " + size + " bytes with CRC-32 " + Long.toHexString(crc));
        }
    }

    /** One timed read of the whole asset, in milliseconds; an IOException when it is not {@code size} bytes. */
    static double timedRead(Opener opener, ByteBuffer buffer, long size, String what) throws IOException {
        long t0 = System.nanoTime();
        long got = read(opener, buffer, null);
        double ms = millis(System.nanoTime() - t0);
        if (got != size) {
            throw new IOException("reading " + what + " gave " + got + " bytes, expected " + size);
        }
        return ms;
    }

    /** Writes {@code size} random bytes; returns their CRC-32. */
    static long writeRandom(Path file, long size) throws IOException, InterruptedException {
        byte[] chunk = new byte[1 << 20];
        CRC32 crc = new CRC32();
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                checkInterrupt();
                int n = (int) Math.min(chunk.length, left);
                ThreadLocalRandom.current().nextBytes(chunk);
                out.write(chunk, 0, n);
                crc.update(chunk, 0, n);
            }
        }
        return crc.getValue();
    }

    /**
     * Fails with a one-line message when the file system of {@code dir} has less than {@code needed} bytes free.
     *
     * @param what what the space is for ("the asset and its VFS cache copy")
     * @param sizeOption the option that sets the size, for the message
     */
    static void requireSpace(Path dir, long needed, String what, String sizeOption) throws IOException {
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < needed) {
            throw new IOException("not enough space in " + dir.getParent() + ": it needs " + (needed >> 20) + " MiB (" + what + "), "
                    + (free >> 20) + " MiB are free (set TMPDIR and -Djava.io.tmpdir through VMAFX_JAVA_OPTS, or " + sizeOption + ")");
        }
    }

    /** A new node over freshly discovered providers (new instances: empty pools, nothing started). */
    static Node startNode(NodeConfig config, Map<String, String> env) throws ConfigException, DiscoveryException {
        return Node.start(config, ProviderRegistry.discover(ProviderRegistry.nodeLayer(), config.pluginsDir()), env);
    }

    /** The first line of {@code rclone version}, for the report; "rclone (version unknown)" if that fails. */
    static String rcloneVersion(NodeConfig config) throws InterruptedException {
        String bin = config.get(Variable.RCLONE_BIN).orElse("rclone");
        try {
            Process p = new ProcessBuilder(bin, "version").redirectErrorStream(true).start();
            try {
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8);
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isBlank()) {
                    return out.lines().findFirst().orElse("rclone").trim();
                }
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
                p.waitFor();
            }
        } catch (IOException e) {
            // Reported by the providers' availability.
        }
        return "rclone (version unknown)";
    }

    static void checkInterrupt() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted");
        }
    }

    static double millis(long nanos) {
        return nanos / 1e6;
    }

    /** Milliseconds in a table: two decimals. */
    static String format(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** {@code value / reference} as {@code 2.41x}; {@code -} without a reference. */
    static String ratio(double value, double reference) {
        return reference <= 0 ? "-" : String.format(Locale.ROOT, "%.2fx", value / reference);
    }

    /** MiB/s of reading {@code mib} MiB in {@code ms} milliseconds; 0 for no time. */
    static double mibPerS(double ms, double mib) {
        return ms <= 0 ? 0 : mib / (ms / 1000.0);
    }

    /** A modifiable copy of a provider's counters, for a JSON report. */
    static Map<String, Object> copy(Map<String, Number> counters) {
        return new LinkedHashMap<>(counters);
    }
}
