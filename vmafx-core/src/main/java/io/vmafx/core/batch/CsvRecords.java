package io.vmafx.core.batch;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV records (RFC 4180: comma-separated cells, double quotes around a cell that holds commas, quotes or line
 * breaks, {@code ""} for a quote inside one) one at a time from a stream, so that a file of any length takes the memory
 * of one record. A record longer than {@link #MAX_RECORD} characters is refused rather than read whole. Used by
 * {@link PairsFile}.
 */
final class CsvRecords {

    /** The most characters one record may have: far above a row of URIs and options, bounded all the same. */
    static final int MAX_RECORD = 64 * 1024;

    /** One record and the line it starts on (1-based). */
    record Record(long line, List<String> cells) {
    }

    /** Malformed CSV at a line. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        final long line;

        Malformed(long line, String message) {
            super(message);
            this.line = line;
        }
    }

    private final Reader in;
    private long line = 1;
    private int pushedBack = -2;
    private boolean first = true;

    CsvRecords(Reader in) {
        this.in = in;
    }

    private int read() throws IOException {
        if (pushedBack != -2) {
            int c = pushedBack;
            pushedBack = -2;
            return c;
        }
        int c = in.read();
        if (first) {
            first = false;
            if (c == '\uFEFF') { // a byte-order mark, as spreadsheets write
                c = in.read();
            }
        }
        return c;
    }

    /** The next record, or null at the end. Blank lines are skipped. */
    Record next() throws IOException, Malformed {
        while (true) {
            long start = line;
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            int length = 0;
            boolean quoted = false;
            boolean afterQuote = false;
            boolean any = false;
            int c;
            while (true) {
                c = read();
                if (c != -1 && ++length > MAX_RECORD) {
                    throw new Malformed(start, "the record is longer than " + MAX_RECORD + " characters");
                }
                if (quoted) {
                    if (c == -1) {
                        throw new Malformed(start, "a quoted cell is not closed before the end of the file");
                    }
                    if (c == '"') {
                        int d = read();
                        if (d == '"') {
                            cell.append('"');
                        } else {
                            quoted = false;
                            afterQuote = true;
                            pushedBack = d;
                        }
                    } else {
                        if (c == '\n') {
                            line++;
                        }
                        cell.append((char) c);
                    }
                    continue;
                }
                if (c == -1 || c == '\n' || c == '\r') {
                    break;
                }
                any = true;
                if (c == ',') {
                    cells.add(cell.toString());
                    cell.setLength(0);
                    afterQuote = false;
                } else if (afterQuote) {
                    throw new Malformed(start, "text after a quoted cell's closing quote (write \"\" for a quote inside one)");
                } else if (c == '"' && cell.isEmpty()) {
                    quoted = true;
                } else {
                    cell.append((char) c);
                }
            }
            if (c == '\r') {
                int d = read();
                if (d != '\n') {
                    pushedBack = d;
                }
            }
            if (c != -1) {
                line++;
            }
            if (any || afterQuote || !cells.isEmpty()) {
                cells.add(cell.toString());
                return new Record(start, cells);
            }
            if (c == -1) {
                return null;
            }
        }
    }
}
