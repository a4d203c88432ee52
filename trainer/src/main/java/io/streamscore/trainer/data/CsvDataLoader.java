package io.streamscore.trainer.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads a labelled CSV file (header row first; RFC 4180 quoting; LF or CRLF; an optional UTF-8 BOM) into a
 * {@link Dataset}. Every error names the file, and where it applies the line and the column, e.g.
 * {@code data.csv:17: column 3 ('age'): 'abc' is not a number}.
 */
public final class CsvDataLoader {

    private static final java.util.regex.Pattern NON_FINITE =
            java.util.regex.Pattern.compile("(?i)[+-]?(nan|inf|infinity)");

    private CsvDataLoader() {
    }

    /**
     * @param labelColumn the label column's name, or null for the last column
     */
    public static Dataset load(Path file, String labelColumn) throws DataFormatException {
        return load(file, labelColumn, ColumnSelection.ALL);
    }

    /**
     * @param columns which feature columns to read, and in what order (a test file is read with exactly the training
     *                data's features, found by name; its other columns are ignored)
     */
    public static Dataset load(Path file, String labelColumn, ColumnSelection columns) throws DataFormatException {
        String name = file.toString();
        try (Reader reader = open(file);
             CSVParser parser = CSVFormat.RFC4180.builder().setTrim(true).get().parse(reader)) {
            Iterator<CSVRecord> records = parser.iterator();
            if (!records.hasNext()) {
                throw new DataFormatException(name + ": the file is empty; expected a header row naming the columns");
            }
            List<String> header = records.next().toList();
            checkHeader(name, header);
            int labelIndex = labelIndex(name, header, labelColumn);
            List<String> available = new ArrayList<>(header);
            available.remove(labelIndex);
            if (available.isEmpty()) {
                throw new DataFormatException(name + ": line 1: only the label column '" + header.get(labelIndex)
                        + "'; at least one feature column is needed");
            }
            List<String> features;
            try {
                features = columns.resolve(available, header.get(labelIndex));
            } catch (IllegalArgumentException e) {
                throw new DataFormatException(name + ":1: " + e.getMessage());
            }
            return readRows(name, parser, records, header, labelIndex, features);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(name + ": no such file");
        } catch (CharacterCodingException e) {
            throw new DataFormatException(name + ": not valid UTF-8 text");
        } catch (IOException | java.io.UncheckedIOException e) {
            Throwable cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
            if (cause instanceof CharacterCodingException) {
                throw new DataFormatException(name + ": not valid UTF-8 text");
            }
            throw new DataFormatException(describeReadError(name, cause));
        }
    }

    private static final java.util.regex.Pattern UNCLOSED_QUOTE =
            java.util.regex.Pattern.compile("\\(startline (\\d+)\\) EOF reached before encapsulated token finished");
    private static final java.util.regex.Pattern AFTER_QUOTE =
            java.util.regex.Pattern.compile("Invalid character between encapsulated token and delimiter at line: (\\d+), position: (\\d+)");

    /** Commons CSV's quoting errors in this loader's FILE:LINE form; anything else as an I/O failure. */
    static String describeReadError(String name, Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        java.util.regex.Matcher m = UNCLOSED_QUOTE.matcher(message);
        if (m.find()) {
            return name + ":" + m.group(1) + ": a quoted field opened here is not closed before the end of the file";
        }
        m = AFTER_QUOTE.matcher(message);
        if (m.find()) {
            return name + ":" + m.group(1) + ": unexpected character after a closing quote (character " + m.group(2)
                    + " of the file); a quoted field must end at a comma or the end of the line";
        }
        return name + ": cannot read: " + message;
    }

    private static Dataset readRows(String name, CSVParser parser, Iterator<CSVRecord> records, List<String> columns,
                                    int labelIndex, List<String> features) throws DataFormatException {
        // Where each header column goes: its feature slot, or -1 when it is not read (the label is read apart).
        int[] slot = new int[columns.size()];
        java.util.Arrays.fill(slot, -1);
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            position.put(columns.get(i), i);
        }
        for (int c = 0; c < features.size(); c++) {
            slot[position.get(features.get(c))] = c;
        }
        RowBuffer rows = new RowBuffer(features.size());
        long previousEnd = parser.getCurrentLineNumber();
        while (records.hasNext()) {
            CSVRecord record = records.next();
            // A record starts on the line after the previous one ended (quoted fields may span lines).
            long line = previousEnd + 1;
            previousEnd = parser.getCurrentLineNumber();
            if (record.size() == 1 && record.get(0).isEmpty()) {
                continue; // a blank line, typically at the end of the file
            }
            if (record.size() != columns.size()) {
                throw new DataFormatException(name + ":" + line + ": " + record.size() + " fields but the header has "
                        + columns.size() + " columns");
            }
            rows.ensureRoom(name + ":" + line);
            double label = 0;
            for (int i = 0; i < columns.size(); i++) {
                if (i == labelIndex) {
                    label = parseLabel(name, line, i, columns.get(i), record.get(i));
                } else if (slot[i] >= 0) {
                    rows.set(slot[i], parseNumber(name, line, i, columns.get(i), record.get(i)));
                }
            }
            rows.endRow(label);
        }
        if (rows.rows() == 0) {
            throw new DataFormatException(name + ": has a header but no data rows");
        }
        if (rows.positives() == 0 || rows.positives() == rows.rows()) {
            throw new DataFormatException(name + ": column " + (labelIndex + 1) + " ('" + columns.get(labelIndex)
                    + "'): every one of the " + rows.rows() + " rows has label " + (rows.positives() == 0 ? 0 : 1)
                    + "; logistic regression needs examples of both classes 0 and 1");
        }
        return rows.toDataset(features, name);
    }

    private static Reader open(Path file) throws IOException {
        PushbackInputStream in = new PushbackInputStream(Files.newInputStream(file), 3);
        byte[] bom = new byte[3];
        int n = in.readNBytes(bom, 0, 3);
        boolean hasBom = n == 3 && (bom[0] & 0xFF) == 0xEF && (bom[1] & 0xFF) == 0xBB && (bom[2] & 0xFF) == 0xBF;
        if (!hasBom && n > 0) {
            in.unread(bom, 0, n);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    }

    private static void checkHeader(String name, List<String> columns) throws DataFormatException {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            String column = columns.get(i);
            if (column.isEmpty()) {
                throw new DataFormatException(name + ":1: column " + (i + 1) + " has an empty name in the header");
            }
            Integer earlier = seen.put(column, i);
            if (earlier != null) {
                throw new DataFormatException(name + ":1: column " + (i + 1) + " ('" + column
                        + "') has the same name as column " + (earlier + 1));
            }
        }
    }

    private static int labelIndex(String name, List<String> columns, String labelColumn) throws DataFormatException {
        if (labelColumn == null) {
            return columns.size() - 1;
        }
        int i = columns.indexOf(labelColumn);
        if (i < 0) {
            // A header may hold a million names; the message stays one readable line.
            throw new DataFormatException(name + ":1: no label column '" + labelColumn + "'; the header has "
                    + ColumnSelection.shown(columns));
        }
        return i;
    }

    private static String where(String name, long line, int index, String column) {
        return name + ":" + line + ": column " + (index + 1) + " ('" + column + "')";
    }

    static double parseLabel(String name, long line, int index, String column, String value) throws DataFormatException {
        if (value.isEmpty()) {
            throw new DataFormatException(where(name, line, index, column) + ": missing label");
        }
        double label = Labels.parse(value);
        if (Double.isNaN(label)) {
            throw new DataFormatException(where(name, line, index, column) + ": label '" + abbreviate(value)
                    + "' is not " + Labels.GRAMMAR);
        }
        return label;
    }

    static double parseNumber(String name, long line, int index, String column, String value) throws DataFormatException {
        if (value.isEmpty()) {
            throw new DataFormatException(where(name, line, index, column) + ": missing value");
        }
        if (NON_FINITE.matcher(value).matches()) {
            throw new DataFormatException(where(name, line, index, column) + ": '" + value
                    + "' is not a finite number; remove or impute such rows before training");
        }
        if (!looksDecimal(value)) {
            throw new DataFormatException(where(name, line, index, column) + ": '" + abbreviate(value) + "' is not a number");
        }
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new DataFormatException(where(name, line, index, column) + ": '" + abbreviate(value) + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new DataFormatException(where(name, line, index, column) + ": '" + abbreviate(value)
                    + "' is too large for a double");
        }
        return v;
    }

    /**
     * Plain decimal notation only: Double.parseDouble would also take "NaN", "Infinity", hex floats and a trailing
     * 'd', none of which belongs in a data file.
     */
    private static boolean looksDecimal(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E')) {
                return false;
            }
        }
        return true;
    }

    /** A value as it may appear in a one-line message: at most 40 characters, line breaks shown as \\n. */
    private static String abbreviate(String s) {
        String shown = s.length() <= 40 ? s : s.substring(0, 37) + "...";
        return shown.replace("\r", "\\r").replace("\n", "\\n");
    }
}
