package io.vmafx.core.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A plain-text table for the terminal: a header row and data rows, each column as wide as its widest cell,
 * columns two spaces apart, text columns left-aligned and number columns right-aligned. No trailing spaces, so
 * the last column may hold free text (a note, a reason) of any length.
 */
public final class TextTable {

    /** How a column's cells line up. */
    public enum Align { LEFT, RIGHT }

    private final List<String> headers;
    private final List<Align> aligns;
    private final List<List<String>> rows = new ArrayList<>();

    /**
     * @param headers the column titles
     * @param aligns  one per column
     */
    public TextTable(List<String> headers, List<Align> aligns) {
        if (headers.isEmpty() || headers.size() != aligns.size()) {
            throw new IllegalArgumentException("a table needs a header and an alignment for each of its columns");
        }
        this.headers = List.copyOf(headers);
        this.aligns = List.copyOf(aligns);
    }

    /**
     * Adds a row; missing trailing cells are empty.
     *
     * @throws IllegalArgumentException with more cells than columns, or a cell holding a line break
     */
    public TextTable row(String... cells) {
        if (cells.length > headers.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + headers.size() + " columns");
        }
        List<String> r = new ArrayList<>(headers.size());
        for (String c : cells) {
            String cell = Objects.requireNonNullElse(c, "");
            if (cell.indexOf('\n') >= 0 || cell.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("a table cell is one line: " + cell);
            }
            r.add(cell);
        }
        while (r.size() < headers.size()) {
            r.add("");
        }
        rows.add(r);
        return this;
    }

    /** The table, one line per row, each line ending in a line feed. */
    public String render() {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
        }
        for (List<String> r : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, headers, width);
        for (List<String> r : rows) {
            line(b, r, width);
        }
        return b.toString();
    }

    private void line(StringBuilder b, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            if (i > 0) {
                l.append("  ");
            }
            String c = cells.get(i);
            char[] pad = new char[width[i] - c.length()];
            Arrays.fill(pad, ' ');
            if (aligns.get(i) == Align.RIGHT) {
                l.append(pad).append(c);
            } else {
                l.append(c).append(pad);
            }
        }
        int end = l.length();
        while (end > 0 && l.charAt(end - 1) == ' ') {
            end--;
        }
        b.append(l, 0, end).append('\n');
    }
}
