package io.vmafx.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vmafx.core.bench.TextTable.Align;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextTableTest {

    @Test
    void columnsAreAsWideAsTheirWidestCellNumbersRightAligned() {
        String t = new TextTable(List.of("mode", "p50 ms", "note"), List.of(Align.LEFT, Align.RIGHT, Align.LEFT))
                .row("http-serve", "1.25", "pooled")
                .row("mount", "123.40", "")
                .render();
        assertEquals(""
                + "mode        p50 ms  note\n"
                + "http-serve    1.25  pooled\n"
                + "mount       123.40\n", t);
    }

    @Test
    void missingTrailingCellsAreEmptyAndLinesHaveNoTrailingSpaces() {
        String t = new TextTable(List.of("a", "b", "c"), List.of(Align.LEFT, Align.LEFT, Align.LEFT))
                .row("x")
                .row("long value", "y", "z")
                .render();
        for (String line : t.split("\n")) {
            assertEquals(line.stripTrailing(), line);
        }
        assertEquals("x\n", t.lines().skip(1).findFirst().orElseThrow() + "\n");
    }

    @Test
    void aHeaderWiderThanItsCellsSetsTheWidth() {
        String t = new TextTable(List.of("measurement", "n"), List.of(Align.LEFT, Align.RIGHT)).row("x", "5").render();
        assertEquals("measurement  n\nx            5\n", t);
    }

    @Test
    void rejectsTooManyCellsLineBreaksAndMismatchedAlignments() {
        TextTable t = new TextTable(List.of("a"), List.of(Align.LEFT));
        assertThrows(IllegalArgumentException.class, () -> t.row("1", "2"));
        assertThrows(IllegalArgumentException.class, () -> t.row("two\nlines"));
        assertThrows(IllegalArgumentException.class, () -> new TextTable(List.of("a", "b"), List.of(Align.LEFT)));
    }

    @Test
    void ratiosAgainstDirectHaveTwoDecimalsAndADashWithoutAReference() {
        assertEquals("2.50x", BenchReport.ratio(25, 10));
        assertEquals("-", BenchReport.ratio(25, 0));
    }
}
