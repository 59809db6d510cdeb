package io.vmafx.core.batch;

import io.vmafx.core.job.JobFields;
import io.vmafx.core.serve.BadRequest;
import io.vmafx.core.serve.JobSubmission;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A pairs file, read row by row (never whole): CSV with a header row, or JSONL (one JSON object a line), by its
 * name's ending ({@code .csv}; {@code .jsonl} or {@code .ndjson}). A row has a job's fields, by the job API's names
 * ({@code reference_uri}, {@code pix_fmt}...) or the command line's ({@code reference}, {@code pix-fmt},
 * {@code feature}...), and optionally {@code pair}, the name the summary gives the row (default: its distorted
 * input). The fields' values are checked later by {@link JobFields}; this class reads their form: a CSV cell is
 * converted to the kind the field takes ({@code 1920} to a number, {@code true} to a boolean; an empty cell leaves the
 * field out); a JSONL line is read by the job API's own reader ({@link JobSubmission#readObject}).
 */
final class PairsFile implements AutoCloseable {

    /** The optional column or field that names a row. */
    static final String PAIR = "pair";

    /** One row: the line it starts on, its name, and its job fields by the API's names. */
    record Row(long line, String pair, Map<String, Object> fields) {
    }

    private final String name;
    private final Reader reader;
    private final CsvRecords csv;
    private List<String> columns;
    private long line;

    private PairsFile(String name, Reader reader, boolean isCsv) {
        this.name = name;
        this.reader = reader;
        this.csv = isCsv ? new CsvRecords(reader) : null;
    }

    /** Opens {@code file}; a name that is neither CSV nor JSONL, or a file that cannot be opened, is a {@link BadPairsFile}. */
    static PairsFile open(Path file) throws BadPairsFile {
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean isCsv = lower.endsWith(".csv");
        if (!isCsv && !lower.endsWith(".jsonl") && !lower.endsWith(".ndjson")) {
            throw new BadPairsFile(file + ": a pairs file is .csv (with a header row) or .jsonl (one JSON object a line)");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadPairsFile(file + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        try {
            // Malformed UTF-8 is an error, not a replacement character in a URI.
            Reader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 64 * 1024);
            return new PairsFile(file.toString(), r, isCsv);
        } catch (IOException e) {
            throw new BadPairsFile(file + ": cannot be read: " + e.getMessage());
        }
    }

    /** The next row, or null at the end of the file. */
    Row next() throws BadPairsFile {
        try {
            return csv != null ? nextCsv() : nextJsonl();
        } catch (CharacterCodingException e) {
            throw BadPairsFile.at(name, Math.max(1, line), "not UTF-8 text");
        } catch (IOException e) {
            throw new BadPairsFile(name + ": cannot be read: " + e.getMessage());
        }
    }

    private Row nextCsv() throws IOException, BadPairsFile {
        try {
            if (columns == null) {
                CsvRecords.Record header = csv.next();
                if (header == null) {
                    throw new BadPairsFile(name + ": empty: a CSV pairs file starts with a header row (reference,distorted,...)");
                }
                columns = header(header);
            }
            CsvRecords.Record r = csv.next();
            if (r == null) {
                return null;
            }
            line = r.line();
            if (r.cells().size() != columns.size()) {
                throw BadPairsFile.at(name, r.line(), r.cells().size() + " cells, but the header has " + columns.size());
            }
            Map<String, Object> fields = new HashMap<>();
            String pair = null;
            for (int i = 0; i < columns.size(); i++) {
                String field = columns.get(i);
                String text = r.cells().get(i).strip();
                if (text.isEmpty()) {
                    continue;
                }
                if (field.equals(PAIR)) {
                    pair = text;
                } else {
                    fields.put(field, value(field, text, r.line()));
                }
            }
            return row(r.line(), pair, fields);
        } catch (CsvRecords.Malformed e) {
            throw BadPairsFile.at(name, e.line, e.getMessage());
        }
    }

    /** The header's names as the API's fields; an unknown or repeated name, or no inputs, is refused. */
    private List<String> header(CsvRecords.Record header) throws BadPairsFile {
        List<String> fields = new ArrayList<>();
        for (String cell : header.cells()) {
            String c = cell.strip().toLowerCase(Locale.ROOT);
            String field = c.equals(PAIR) || JobFields.FIELDS.contains(c) ? c : JobFields.CLI_NAMES.get(c);
            if (field == null) {
                throw BadPairsFile.at(name, header.line(), "unknown column '" + cell.strip() + "'; columns are " + PAIR + ", "
                        + String.join(", ", JobFields.FIELDS) + " (or the command line's names: "
                        + String.join(", ", JobFields.CLI_NAMES.keySet()) + ")");
            }
            if (fields.contains(field)) {
                throw BadPairsFile.at(name, header.line(), "column '" + cell.strip() + "' names " + field + " a second time");
            }
            fields.add(field);
        }
        for (String required : List.of("reference_uri", "distorted_uri")) {
            if (!fields.contains(required)) {
                throw BadPairsFile.at(name, header.line(), "the header has no " + required + " (or "
                        + JobFields.flag(required).substring(2) + ") column");
            }
        }
        return fields;
    }

    /** A CSV cell as the kind of value its field takes. */
    private Object value(String field, String text, long at) throws BadPairsFile {
        switch (JobFields.kind(field)) {
            case "a whole number" -> {
                try {
                    return Integer.parseInt(text);
                } catch (NumberFormatException e) {
                    throw BadPairsFile.at(name, at, field + ": expected a whole number, got \"" + text + "\"");
                }
            }
            case "true or false" -> {
                return switch (text.toLowerCase(Locale.ROOT)) {
                    case "true", "yes", "1" -> Boolean.TRUE;
                    case "false", "no", "0" -> Boolean.FALSE;
                    default -> throw BadPairsFile.at(name, at, field + ": expected true or false, got \"" + text + "\"");
                };
            }
            default -> {
                return text;
            }
        }
    }

    private Row nextJsonl() throws IOException, BadPairsFile {
        while (true) {
            String text = readLine();
            if (text == null) {
                return null;
            }
            if (text.isBlank()) {
                continue;
            }
            Map<String, Object> fields;
            try {
                fields = JobSubmission.readObject(text.getBytes(StandardCharsets.UTF_8), "the line", Set.of(PAIR));
            } catch (BadRequest e) {
                throw BadPairsFile.at(name, line, e.getMessage());
            }
            Object pair = fields.remove(PAIR);
            if (pair != null && !(pair instanceof String)) {
                throw BadPairsFile.at(name, line, PAIR + ": expected a string, got " + pair);
            }
            return row(line, (String) pair, fields);
        }
    }

    /** One line of at most {@link CsvRecords#MAX_RECORD} characters, without its line break; null at the end. */
    private String readLine() throws IOException, BadPairsFile {
        StringBuilder b = new StringBuilder();
        int c;
        boolean any = false;
        while ((c = reader.read()) != -1) {
            any = true;
            if (c == '\n') {
                break;
            }
            if (b.length() >= CsvRecords.MAX_RECORD) {
                throw BadPairsFile.at(name, line + 1, "the line is longer than " + CsvRecords.MAX_RECORD + " characters");
            }
            b.append((char) c);
        }
        if (!any) {
            return null;
        }
        line++;
        int n = b.length();
        if (n > 0 && b.charAt(n - 1) == '\r') {
            b.setLength(n - 1);
        }
        if (line == 1 && !b.isEmpty() && b.charAt(0) == '\uFEFF') {
            b.deleteCharAt(0);
        }
        return b.toString();
    }

    private Row row(long at, String pair, Map<String, Object> fields) throws BadPairsFile {
        if (pair != null && pair.length() > JobFields.MAX_FIELD_LENGTH) {
            throw BadPairsFile.at(name, at, PAIR + ": longer than " + JobFields.MAX_FIELD_LENGTH + " characters");
        }
        return new Row(at, pair, fields);
    }

    /** The file's name as the user gave it, for messages. */
    String name() {
        return name;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException ignored) {
            // read-only: nothing is lost
        }
    }
}
