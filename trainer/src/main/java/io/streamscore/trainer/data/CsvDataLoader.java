package io.streamscore.trainer.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a labelled CSV file (header row first; RFC 4180 quoting; LF or CRLF; an optional UTF-8 BOM; gzip-compressed
 * or not, told by its first bytes, not its name; separated by commas, or by ';' or tabs found in the header, or by
 * {@link CsvOptions#delimiter()}) into a {@link Dataset}. Every error names the file, and where it applies the line and
 * the column, e.g. {@code data.csv:17: column 3 ('age'): 'abc' is not a number}.
 */
public final class CsvDataLoader {

    private static final java.util.regex.Pattern NON_FINITE =
            java.util.regex.Pattern.compile("(?i)[+-]?(inf|infinity)");
    /** How spreadsheets, pandas and R write a missing value (compared in lower case); an empty cell too. */
    private static final Set<String> MISSING = Set.of("", "na", "n/a", "#n/a", "nan", "null", "none");
    private static final java.util.regex.Pattern DECIMAL_COMMA = java.util.regex.Pattern.compile("[+-]?\\d+,\\d+");
    /** How far into the file the header is looked at to find the separator (characters). */
    private static final int HEADER_SAMPLE = 1 << 20;
    /** What {@code --data -} reads is called in messages. */
    public static final String STDIN_NAME = "<stdin>";

    /**
     * What was read, and how.
     *
     * @param data             the rows kept
     * @param delimiter        the field separator used
     * @param gzip             whether the input was gzip-compressed
     * @param droppedRows      rows left out for missing values ({@link CsvOptions.MissingValues#DROP_ROWS})
     * @param missingByColumn  for the rows left out: how many lacked each column, in header order
     */
    public record Loaded(Dataset data, char delimiter, boolean gzip, long droppedRows, Map<String, Long> missingByColumn) {
        public Loaded {
            missingByColumn = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(missingByColumn));
        }

        /** e.g. {@code gzip, ';'-separated} — empty for a plain comma-separated file. */
        public String format() {
            List<String> parts = new ArrayList<>();
            if (gzip) {
                parts.add("gzip");
            }
            if (delimiter != ',') {
                parts.add(CsvOptions.describe(delimiter) + "-separated");
            }
            return String.join(", ", parts);
        }
    }

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
        return read(file, labelColumn, columns, CsvOptions.DEFAULT).data();
    }

    /** A file's name without its extension, and without .gz before it: churn.csv.gz is churn. */
    public static String stem(Path file) {
        String name = file.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".gz") && name.length() > 3) {
            name = name.substring(0, name.length() - 3);
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** Reads a file with the given options. */
    public static Loaded read(Path file, String labelColumn, ColumnSelection columns, CsvOptions options)
            throws DataFormatException {
        String name = file.toString();
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(name + ": no such file");
        } catch (IOException e) {
            throw new DataFormatException(describeReadError(name, e));
        }
        return read(in, name, labelColumn, columns, options);
    }

    /**
     * Reads a stream (e.g. standard input), which this method closes.
     *
     * @param name what messages call the input
     */
    public static Loaded read(InputStream input, String name, String labelColumn, ColumnSelection columns,
                              CsvOptions options) throws DataFormatException {
        boolean[] gzip = {false};
        try (Reader reader = open(input, gzip)) {
            char delimiter = options.delimiter() != null ? options.delimiter() : detectDelimiter(name, reader);
            try (CSVParser parser = CSVFormat.RFC4180.builder().setDelimiter(delimiter).setTrim(true).get().parse(reader)) {
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
                            + "'; at least one feature column is needed" + (options.delimiter() == null
                            ? " (for columns separated by something else than a comma, ';' or a tab, give --delimiter)"
                            : ""));
                }
                List<String> features;
                try {
                    features = columns.resolve(available, header.get(labelIndex));
                } catch (IllegalArgumentException e) {
                    throw new DataFormatException(name + ":1: " + e.getMessage());
                }
                return readRows(name, parser, records, header, labelIndex, features, options, delimiter, gzip[0]);
            }
        } catch (CharacterCodingException e) {
            throw new DataFormatException(name + ": not valid UTF-8 text");
        } catch (IOException | java.io.UncheckedIOException e) {
            Throwable cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
            if (cause instanceof CharacterCodingException) {
                throw new DataFormatException(name + ": not valid UTF-8 text");
            }
            if (gzip[0] && (cause instanceof ZipException || cause instanceof java.io.EOFException)) {
                throw new DataFormatException(name + ": the gzip data is corrupt or truncated (" + cause.getMessage() + ")");
            }
            throw new DataFormatException(describeReadError(name, cause));
        }
    }

    /**
     * The separator the header row uses: a comma when it has one (the default, never second-guessed); otherwise ';'
     * or a tab when exactly one of them occurs outside quotes; a comma for a header of one column.
     */
    static char detectDelimiter(String name, Reader reader) throws IOException, DataFormatException {
        reader.mark(HEADER_SAMPLE);
        int commas = 0;
        int semicolons = 0;
        int tabs = 0;
        boolean quoted = false;
        for (int i = 0; i < HEADER_SAMPLE; i++) {
            int c = reader.read();
            if (c < 0 || (!quoted && (c == '\n' || c == '\r'))) {
                break;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted) {
                switch (c) {
                    case ',' -> commas++;
                    case ';' -> semicolons++;
                    case '\t' -> tabs++;
                    default -> {
                    }
                }
            }
        }
        reader.reset();
        if (commas > 0 || (semicolons == 0 && tabs == 0)) {
            return ',';
        }
        if (semicolons > 0 && tabs > 0) {
            throw new DataFormatException(name + ":1: the header has no comma but both ';' and tabs; say which one"
                    + " separates the columns with --delimiter ';' or --delimiter tab");
        }
        return semicolons > 0 ? ';' : '\t';
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

    private static Loaded readRows(String name, CSVParser parser, Iterator<CSVRecord> records, List<String> columns,
                                   int labelIndex, List<String> features, CsvOptions options, char delimiter,
                                   boolean gzip) throws DataFormatException {
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
        Missing missing = new Missing(columns.size());
        LabelValues labels = new LabelValues(options.positiveLabel());
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
            boolean complete = true;
            for (int i = 0; i < columns.size(); i++) {
                if (i != labelIndex && slot[i] < 0) {
                    continue;
                }
                String value = record.get(i);
                if (isMissing(value)) {
                    missing.add(line, i, value);
                    complete = false;
                } else if (i == labelIndex) {
                    label = labels.parse(name, line, i, columns.get(i), value);
                } else {
                    rows.set(slot[i], parseNumber(name, line, i, columns.get(i), value, delimiter));
                }
            }
            if (complete) {
                rows.endRow(label);
            } else {
                missing.rows++;
            }
        }
        if (missing.rows > 0 && options.missing() == CsvOptions.MissingValues.ERROR) {
            int c = missing.firstColumn;
            throw new DataFormatException(where(name, missing.firstLine, c, columns.get(c)) + ": missing "
                    + (c == labelIndex ? "label" : "value") + (missing.firstValue.isEmpty() ? "" : " '"
                    + abbreviate(missing.firstValue) + "'") + " (" + missing.rows + (missing.rows == 1 ? " row has" : " rows have")
                    + " missing values: " + missing.describe(columns) + "); --missing drop-rows trains without those rows");
        }
        if (rows.rows() == 0) {
            throw new DataFormatException(name + ": has a header but no data rows" + (missing.rows > 0
                    ? " without a missing value (" + missing.rows + " rows left out: " + missing.describe(columns) + ")"
                    : ""));
        }
        String labelName = columns.get(labelIndex);
        if (options.positiveLabel() != null && rows.positives() == 0) {
            throw new DataFormatException(name + ": column " + (labelIndex + 1) + " ('" + labelName + "'): no row has the"
                    + " positive label '" + abbreviate(options.positiveLabel()) + "' (--positive-label); the column holds "
                    + labels.shown());
        }
        if (rows.positives() == 0 || rows.positives() == rows.rows()) {
            throw new DataFormatException(name + ": column " + (labelIndex + 1) + " ('" + labelName
                    + "'): every one of the " + rows.rows() + " rows has label " + (rows.positives() == 0 ? 0 : 1)
                    + "; logistic regression needs examples of both classes 0 and 1");
        }
        Map<String, Long> byColumn = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            if (missing.perColumn[i] > 0) {
                byColumn.put(columns.get(i), missing.perColumn[i]);
            }
        }
        return new Loaded(rows.toDataset(features, name), delimiter, gzip, missing.rows, byColumn);
    }

    static boolean isMissing(String value) {
        return value.length() <= 4 && MISSING.contains(value.toLowerCase(Locale.ROOT));
    }

    /** The rows with a missing value: how many, per column, and the first one. */
    private static final class Missing {
        final long[] perColumn;
        long rows;
        long firstLine = -1;
        int firstColumn;
        String firstValue;

        Missing(int columns) {
            perColumn = new long[columns];
        }

        void add(long line, int column, String value) {
            perColumn[column]++;
            if (firstLine < 0) {
                firstLine = line;
                firstColumn = column;
                firstValue = value;
            }
        }

        /** e.g. {@code income in 3 rows, age in 1} — the columns with the most first, at most 5 named. */
        String describe(List<String> columns) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < perColumn.length; i++) {
                if (perColumn[i] > 0) {
                    order.add(i);
                }
            }
            order.sort((a, b) -> Long.compare(perColumn[b], perColumn[a]));
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < Math.min(5, order.size()); k++) {
                int i = order.get(k);
                sb.append(k == 0 ? "" : ", ").append("'").append(columns.get(i)).append("' in ").append(perColumn[i])
                        .append(k == 0 ? (perColumn[i] == 1 ? " row" : " rows") : "");
            }
            if (order.size() > 5) {
                sb.append(", and ").append(order.size() - 5).append(" more columns");
            }
            return sb.toString();
        }
    }

    /**
     * Reads labels: by the grammar of {@link Labels}, or, with a positive label, as that value (1) or the one other
     * value the column holds (0), ignoring case.
     */
    private static final class LabelValues {
        private final String positive;
        /** With a positive label: the distinct values seen, lower-cased, with their first spelling; at most 2. */
        private final Map<String, String> seen = new TreeMap<>();

        LabelValues(String positive) {
            this.positive = positive;
        }

        double parse(String name, long line, int index, String column, String value) throws DataFormatException {
            if (positive == null) {
                return parseLabel(name, line, index, column, value);
            }
            String key = value.toLowerCase(Locale.ROOT);
            if (!seen.containsKey(key)) {
                if (seen.size() == 2) {
                    throw new DataFormatException(where(name, line, index, column) + ": label '" + abbreviate(value)
                            + "' is a third value besides " + shown() + "; with --positive-label the label column must"
                            + " hold two classes");
                }
                seen.put(key, value);
            }
            return key.equals(positive.toLowerCase(Locale.ROOT)) ? 1.0 : 0.0;
        }

        String shown() {
            List<String> quoted = new ArrayList<>();
            for (String v : seen.values()) {
                quoted.add("'" + abbreviate(v) + "'");
            }
            return quoted.isEmpty() ? "no values" : String.join(" and ", quoted);
        }
    }

    /** UTF-8 text from the stream, gunzipped when it starts with gzip's magic bytes, without a leading BOM. */
    private static Reader open(InputStream raw, boolean[] gzip) throws IOException {
        try {
            return decode(raw, gzip);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static Reader decode(InputStream raw, boolean[] gzip) throws IOException {
        PushbackInputStream in = new PushbackInputStream(raw, 3);
        byte[] magic = new byte[2];
        int m = in.readNBytes(magic, 0, 2);
        if (m > 0) {
            in.unread(magic, 0, m);
        }
        if (m == 2 && (magic[0] & 0xFF) == 0x1F && (magic[1] & 0xFF) == 0x8B) {
            gzip[0] = true;
            in = new PushbackInputStream(new GZIPInputStream(in, 1 << 16), 3);
        }
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
        double label = Labels.parse(value);
        if (Double.isNaN(label)) {
            boolean text = Character.isLetter(value.codePointAt(0));
            throw new DataFormatException(where(name, line, index, column) + ": label '" + abbreviate(value)
                    + "' is not " + Labels.GRAMMAR + (text ? "; for labels such as yes/no, name the class that is 1"
                    + " with --positive-label VALUE" : ""));
        }
        return label;
    }

    static double parseNumber(String name, long line, int index, String column, String value, char delimiter)
            throws DataFormatException {
        if (NON_FINITE.matcher(value).matches()) {
            throw new DataFormatException(where(name, line, index, column) + ": '" + value
                    + "' is not a finite number; remove or impute such rows before training");
        }
        if (!looksDecimal(value)) {
            throw new DataFormatException(where(name, line, index, column) + ": '" + abbreviate(value) + "' is not a number"
                    + hint(column, value, delimiter));
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
     * What to do about a value that is not a number: text (it starts with a letter) is a column to leave out or encode;
     * a decimal comma needs a decimal point.
     */
    private static String hint(String column, String value, char delimiter) {
        if (delimiter != ',' && DECIMAL_COMMA.matcher(value).matches()) {
            return " (a decimal comma? numbers need a decimal point: 1.5, not 1,5)";
        }
        if (!value.isEmpty() && Character.isLetter(value.codePointAt(0))) {
            String shown = column.matches("[A-Za-z0-9_.-]+") ? column : "'" + column + "'";
            return "; the column holds text: leave it out with --exclude " + shown
                    + ", or encode it as numbers first (e.g. one 0/1 column per value)";
        }
        return "";
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
