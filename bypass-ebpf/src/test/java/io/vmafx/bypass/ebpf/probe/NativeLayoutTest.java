package io.vmafx.bypass.ebpf.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The C layout (vmafx_probe.h, as the built JNI library reports it) against what the Java side decodes
 * ({@link EventLayout}), and the check that refuses a library whose layout differs.
 */
class NativeLayoutTest {

    /** The library bypass-ebpf-native built for this machine's architecture, loaded from this build's resources. */
    @Test
    void theBuiltLibraryHasTheLayoutTheJavaSideDecodes() throws Exception {
        NativeLoader.load(); // fails the test (not a skip) when this build has no library for this architecture
        // the one-line reason first: it names the field
        assertEquals(Optional.empty(), EventLayout.mismatch(NativeProbe.layout()), "vmafx_probe.h and EventLayout.java disagree");
        assertEquals(EventLayout.expected(), EventLayout.parse(NativeProbe.layout()));
        assertNull(NativeProbe.LOAD_ERROR, "the class initialiser refused the library");
    }

    @Test
    void anIdenticalTableIsAccepted() {
        assertEquals(Optional.empty(), EventLayout.mismatch(entries(EventLayout.expected())));
    }

    @Test
    void aMovedFieldIsRefusedInOneLineNamingIt() {
        Map<String, Long> m = EventLayout.expected();
        m.put("vmafx_event.path.offset", 88L);
        String reason = EventLayout.mismatch(entries(m)).orElseThrow();
        assertEquals("the native library was compiled for another event layout than this class decodes"
                + " (vmafx_event.path.offset is 88 in the library, 80 here); rebuild bypass-ebpf-native and bypass-ebpf"
                + " from the same sources", reason);
        assertTrue(!reason.contains("\n"), reason);
    }

    @Test
    void missingExtraAndMalformedEntriesAreRefused() {
        Map<String, Long> m = EventLayout.expected();
        m.remove("VMAFX_STAT_COUNT");
        List<String> e = new ArrayList<>(List.of(entries(m)));
        e.add("VMAFX_NEW_THING=1");
        e.add("vmafx_event.size=five hundred");
        e.remove("vmafx_event.size=592");
        String reason = EventLayout.mismatch(e.toArray(String[]::new)).orElseThrow();
        assertTrue(reason.contains("(vmafx_event.size is null in the library, 592 here; 2 more difference(s))"), reason);
        assertTrue(EventLayout.mismatch(new String[0]).orElseThrow().contains("is missing in the library"));
        assertTrue(EventLayout.mismatch(null).isPresent());
    }

    @Test
    void theDecoderReadsWhereTheTableSays() {
        Map<String, Long> m = EventLayout.expected();
        // the record ends with the path: nothing after it, no tail padding for a compiler to disagree on
        assertEquals(m.get("vmafx_event.size"), m.get("vmafx_event.path.offset") + m.get("vmafx_event.path.size"));
        assertEquals((long) NativeProbe.EVENT_SIZE, m.get("VMAFX_EVENT_SIZE"));
    }

    private static String[] entries(Map<String, Long> m) {
        return m.entrySet().stream().map(x -> x.getKey() + "=" + x.getValue()).toArray(String[]::new);
    }
}
