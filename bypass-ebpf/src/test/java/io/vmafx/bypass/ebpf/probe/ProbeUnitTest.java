package io.vmafx.bypass.ebpf.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Java side's decoding and arithmetic, without the kernel. */
class ProbeUnitTest {

    @Test
    void decodesAnOpenEventRecord() {
        byte[] rec = new byte[NativeProbe.EVENT_SIZE * 2];
        ByteBuffer b = ByteBuffer.wrap(rec, NativeProbe.EVENT_SIZE, NativeProbe.EVENT_SIZE).slice().order(ByteOrder.nativeOrder());
        b.putLong(0, 123L).putLong(8, 39L).putLong(16, 1046915271961842991L).putInt(24, NativeProbe.EV_OPEN).putInt(28, 4242)
                .putInt(32, 4243).putInt(36, 5).putInt(40, 0x80000).putInt(44, 0x65735546).putInt(48, NativeProbe.EVF_FUSE)
                .putInt(52, 3);
        byte[] path = "/run/vmafx/mounts/x/ref.mp4".getBytes(StandardCharsets.UTF_8);
        b.putInt(56, path.length + 1);
        b.put(64, "ffmpeg".getBytes(StandardCharsets.US_ASCII));
        b.put(80, path);
        OpenEvent e = OpenEvent.decode(rec, NativeProbe.EVENT_SIZE);
        assertEquals(new OpenEvent(OpenEvent.Kind.OPEN, 123, 4242, 4243, 5, 0, 0x80000, new FileKey(39, 1046915271961842991L),
                true, 0x65735546L, "ffmpeg", "/run/vmafx/mounts/x/ref.mp4", false, "open"), e);

        b.putInt(36, -2).putInt(48, 0);
        e = OpenEvent.decode(rec, NativeProbe.EVENT_SIZE);
        assertEquals(-1, e.fd());
        assertEquals(2, e.errno());
        assertFalse(e.succeeded());
    }

    @Test
    void fileKeyDecodesGlibcDeviceNumbers() {
        assertEquals("0:39/7", new FileKey(39, 7).toString());
        long dev = (259L << 8) | 3; // 259:3
        assertEquals(259, new FileKey(dev, 1).major());
        assertEquals(3, new FileKey(dev, 1).minor());
        long big = ((0x1234L & 0xfffff000L) << 32) | ((0x1234L & 0xfff) << 8) | ((0x56789L & 0xffffff00L) << 12) | (0x56789L & 0xff);
        assertEquals(0x1234, new FileKey(big, 1).major());
        assertEquals(0x56789, new FileKey(big, 1).minor());
    }

    @Test
    void countersSinceABaseline() {
        FileCounters base = new FileCounters(100, 2, 0, 50, 30, 10, 20);
        FileCounters now = new FileCounters(1100, 12, 1, 550, 90, 10, 99);
        assertEquals(new FileCounters(1000, 10, 1, 500, 90, 0, 99), now.minus(base));
        assertEquals(now, now.minus(FileCounters.ZERO).minus(FileCounters.ZERO));
        FileCounters evicted = new FileCounters(10, 1, 0, 5, 5, 200, 200);
        assertEquals(evicted, evicted.minus(base), "recreated counters start again from zero");
        assertEquals(45, now.meanLatencyNanos());
        assertEquals(0, FileCounters.ZERO.meanLatencyNanos());
    }

    @Test
    void histogramQuantilesAndDifferences() {
        long[] v = new long[NativeProbe.HIST_SLOTS];
        v[10] = 90; // [1024, 2048) ns
        v[20] = 10; // [1 ms, 2 ms)
        LatencyHistogram h = new LatencyHistogram(v);
        assertEquals(100, h.count());
        assertEquals(2048, h.quantileUpperBoundNanos(0.5));
        assertEquals(1L << 21, h.quantileUpperBoundNanos(0.99));
        assertEquals(0, new LatencyHistogram(new long[64]).quantileUpperBoundNanos(0.5));
        long[] earlier = new long[NativeProbe.HIST_SLOTS];
        earlier[10] = 80;
        assertEquals(20, h.minus(new LatencyHistogram(earlier)).count());
        assertTrue(h.toString().contains("[1 us, 2 us)  90"), h.toString());
    }

    @Test
    void verifierSummaryNamesTheComplaintItsInstructionAndSourceLine() {
        String log = """
                arg#0 reference type('UNKNOWN ') size cannot be determined: -22
                0: R1=ctx() R10=fp0
                ; struct vmafx_fd_info *v = bpf_map_lookup_elem(&tracked_fds, &k); @ vmafx_probe.bpf.c:458
                4: (18) r1 = 0xffff8881043c2000       ; R1=map_ptr(map=tracked_fds,ks=8,vs=32)
                6: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=tracked_fds,ks=8,vs=32)
                ; return v->tid; @ vmafx_probe.bpf.c:460
                7: (61) r0 = *(u32 *)(r0 +24)
                R0 invalid mem access 'map_value_or_null'
                processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
                """;
        assertEquals(Optional.of("R0 invalid mem access 'map_value_or_null' (at 7: (61) r0 = *(u32 *)(r0 +24); source:"
                + " return v->tid; @ vmafx_probe.bpf.c:460)"), ProbeException.summary(log));
        ProbeException e = new ProbeException("loading the BPF programs into the kernel (program p)", 13, "Permission denied", log, "");
        assertEquals("loading the BPF programs into the kernel (program p): Permission denied (errno 13); the verifier said: "
                + ProbeException.summary(log).orElseThrow(), e.getMessage());
        assertEquals(Optional.empty(), ProbeException.summary(""));
        assertEquals("attaching x: No such file or directory (errno 2)",
                new ProbeException("attaching x", 2, "No such file or directory", null, null).getMessage());
    }
}
