package io.vmafx.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JobExceptionTest {

    @Test
    void aShortMessageIsKeptOnOneLine() {
        assertEquals("distorted a.y4m: cannot open: x y", new JobException("distorted a.y4m: cannot open:\n  x\r\ny").getMessage());
    }

    @Test
    void aHugeMessageKeepsItsStartAndEndWithinTheBound() {
        String huge = "distorted /" + "a".repeat(200_000) + ".y4m: cannot open: No such file or directory";
        String m = new JobException(huge).getMessage();
        assertTrue(m.length() <= JobException.MAX_LENGTH, () -> m.length() + " characters");
        assertTrue(m.startsWith("distorted /aaaa"), m);
        assertTrue(m.endsWith(".y4m: cannot open: No such file or directory"), m);
        assertTrue(m.contains("characters left out"), m);
    }
}
