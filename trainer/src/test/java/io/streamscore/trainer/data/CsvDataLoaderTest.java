package io.streamscore.trainer.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvDataLoaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    private String error(Path file, String label) {
        return assertThrows(DataFormatException.class, () -> CsvDataLoader.load(file, label)).getMessage();
    }

    @Test
    void readsFeaturesAndLabelsRowMajor() throws Exception {
        Dataset d = CsvDataLoader.load(write("ok.csv", "a,b,y\n1,2,0\n3.5,-4e2,1\n"), null);
        assertEquals(List.of("a", "b"), d.featureNames());
        assertEquals(2, d.rows());
        assertArrayEquals(new double[] {1, 2, 3.5, -400}, d.features());
        assertArrayEquals(new double[] {0, 1}, d.labels());
    }

    @Test
    void labelColumnByNameAnywhereAndBooleanLabels() throws Exception {
        Dataset d = CsvDataLoader.load(write("named.csv", "y,a,b\ntrue,1,2\nFALSE,3,4\n"), "y");
        assertEquals(List.of("a", "b"), d.featureNames());
        assertArrayEquals(new double[] {1, 0}, d.labels());
        assertArrayEquals(new double[] {1, 2, 3, 4}, d.features());
    }

    @Test
    void toleratesBomCrlfQuotesAndATrailingBlankLine() throws Exception {
        Path file = dir.resolve("bom.csv");
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "\"a\",b,y\r\n\"1.5\", 2 ,1\r\n3,4,0\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, all, 0, 3);
        System.arraycopy(body, 0, all, 3, body.length);
        Files.write(file, all);
        Dataset d = CsvDataLoader.load(file, null);
        assertEquals(List.of("a", "b"), d.featureNames());
        assertArrayEquals(new double[] {1.5, 2, 3, 4}, d.features());
    }

    @Test
    void nonNumericValueNamesFileLineAndColumn() throws Exception {
        Path f = write("bad.csv", "a,age,y\n1,2,0\n1,abc,1\n");
        assertEquals(f + ":3: column 2 ('age'): 'abc' is not a number; the column holds text: leave it out with"
                + " --exclude age, or encode it as numbers first (e.g. one 0/1 column per value)", error(f, null));
    }

    @Test
    void missingValueIsNamed() throws Exception {
        Path f = write("missing.csv", "a,b,y\n1,2,0\n1,,1\n");
        assertEquals(f + ":3: column 2 ('b'): missing value (1 row has missing values: 'b' in 1 row); --missing"
                + " drop-rows trains without those rows", error(f, null));
    }

    @Test
    void nanIsMissingAndInfinityIsRefused() throws Exception {
        Path f = write("nan.csv", "a,b,y\n1,NaN,0\n");
        assertEquals(f + ":2: column 2 ('b'): missing value 'NaN' (1 row has missing values: 'b' in 1 row); --missing"
                + " drop-rows trains without those rows", error(f, null));
        Path g = write("inf.csv", "a,b,y\n1,2,0\n-Infinity,2,1\n");
        assertEquals(g + ":3: column 1 ('a'): '-Infinity' is not a finite number; remove or impute such rows before training",
                error(g, null));
        Path h = write("huge.csv", "a,b,y\n1,1e999,0\n");
        assertEquals(h + ":2: column 2 ('b'): '1e999' is too large for a double", error(h, null));
    }

    @Test
    void raggedRowIsNamed() throws Exception {
        Path f = write("ragged.csv", "a,b,y\n1,2,0\n1,2\n");
        assertEquals(f + ":3: 2 fields but the header has 3 columns", error(f, null));
    }

    @Test
    void aQuotedFieldSpanningLinesIsReportedOnOneLineAtItsStart() throws Exception {
        Path f = write("multiline.csv", "a,b,y\n1,2,0\n\"3\n4\",5,1\n");
        assertEquals(f + ":3: column 1 ('a'): '3\\n4' is not a number", error(f, null));
    }

    @Test
    void singleClassIsRefusedWithTheLabelColumn() throws Exception {
        Path f = write("one.csv", "a,y\n1,1\n2,1\n");
        assertEquals(f + ": column 2 ('y'): every one of the 2 rows has label 1; logistic regression needs examples of"
                + " both classes 0 and 1", error(f, null));
    }

    @Test
    void emptyFileAndHeaderOnly() throws Exception {
        Path e = write("empty.csv", "");
        assertEquals(e + ": the file is empty; expected a header row naming the columns", error(e, null));
        Path h = write("header.csv", "a,b,y\n");
        assertEquals(h + ": has a header but no data rows", error(h, null));
    }

    @Test
    void badLabelAndMissingLabelColumn() throws Exception {
        Path f = write("label.csv", "a,y\n1,0\n2,yes\n");
        assertEquals(f + ":3: column 2 ('y'): label 'yes' is not 0/1, true/false or 0.0/1.0; for labels such as yes/no,"
                + " name the class that is 1 with --positive-label VALUE", error(f, null));
        Path g = write("nolabel.csv", "a,y\n1,0\n");
        assertEquals(g + ":1: no label column 'target'; the header has [a, y]", error(g, "target"));
        Path m = write("emptylabel.csv", "a,y\n1,0\n2,\n");
        assertEquals(m + ":3: column 2 ('y'): missing label (1 row has missing values: 'y' in 1 row); --missing drop-rows"
                + " trains without those rows", error(m, null));
    }

    @Test
    void duplicateAndEmptyColumnNames() throws Exception {
        Path f = write("dup.csv", "a,a,y\n1,2,0\n");
        assertEquals(f + ":1: column 2 ('a') has the same name as column 1", error(f, null));
        Path g = write("blank.csv", "a,,y\n1,2,0\n");
        assertEquals(g + ":1: column 2 has an empty name in the header", error(g, null));
    }

    @Test
    void missingFileAndBadUtf8() throws Exception {
        Path none = dir.resolve("nope.csv");
        assertEquals(none + ": no such file", error(none, null));
        Path bin = dir.resolve("bin.csv");
        Files.write(bin, new byte[] {'a', ',', 'y', '\n', (byte) 0xC3, (byte) 0x28, ',', '1', '\n'});
        assertEquals(bin + ": not valid UTF-8 text", error(bin, null));
    }

    @Test
    void testFileMustHaveTheTrainingColumns() throws Exception {
        Path f = write("test.csv", "a,c,y\n1,2,0\n3,4,1\n");
        String msg = assertThrows(DataFormatException.class,
                () -> CsvDataLoader.load(f, null, ColumnSelection.only(List.of("a", "b")))).getMessage();
        assertEquals(f + ":1: no column 'b' (--features); the columns are [a, c]", msg);
        // Found by name: other order and extra columns are fine.
        Path g = write("test2.csv", "b,id,a,y\n2,x1,1,0\n4,x2,3,1\n");
        Dataset d = CsvDataLoader.load(g, null, ColumnSelection.only(List.of("a", "b")));
        assertEquals(List.of("a", "b"), d.featureNames());
        assertArrayEquals(new double[] {3, 4}, d.row(1));
    }

    @Test
    void oneLabelGrammar() throws Exception {
        Path f = write("labels.csv", "a,y\n1,0\n2,1\n3,0.0\n4,1.0\n5,true\n6,FALSE\n7,True\n");
        Dataset d = CsvDataLoader.load(f, null);
        assertArrayEquals(new double[] {0, 1, 0, 1, 1, 0, 1}, new double[] {d.label(0), d.label(1), d.label(2),
                d.label(3), d.label(4), d.label(5), d.label(6)});
        for (String bad : List.of("2", "0.5", "yes", "-1", "1.00", "t")) {
            assertTrue(Double.isNaN(Labels.parse(bad)), bad);
        }
    }

    @Test
    void featuresChooseAndOrderColumnsAndExcludeSkipsThemUnparsed() throws Exception {
        Path f = write("cols.csv", "id,a,b,c,y\nu-1,1,2,3,0\nu-2,4,5,6,1\n");
        Dataset chosen = CsvDataLoader.load(f, "y", ColumnSelection.only(List.of("c", "a")));
        assertEquals(List.of("c", "a"), chosen.featureNames());
        assertArrayEquals(new double[] {6, 4}, chosen.row(1));
        Dataset excluded = CsvDataLoader.load(f, "y", ColumnSelection.allBut(List.of("id", "b")));
        assertEquals(List.of("a", "c"), excluded.featureNames());
        assertArrayEquals(new double[] {1, 3}, excluded.row(0));
        // Without --exclude the text ID is an error naming it.
        assertEquals(f + ":2: column 1 ('id'): 'u-1' is not a number; the column holds text: leave it out with --exclude"
                + " id, or encode it as numbers first (e.g. one 0/1 column per value)", error(f, "y"));
        assertEquals(f + ":1: no column 'd' (--exclude); the columns are [id, a, b, c]",
                assertThrows(DataFormatException.class,
                        () -> CsvDataLoader.load(f, "y", ColumnSelection.allBut(List.of("d")))).getMessage());
        assertEquals(f + ":1: 'y' is the label column, not a feature", assertThrows(DataFormatException.class,
                () -> CsvDataLoader.load(f, "y", ColumnSelection.only(List.of("a", "y")))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ColumnSelection(List.of("a"), List.of("b")));
        assertThrows(IllegalArgumentException.class, () -> ColumnSelection.only(List.of("a", "a")));
    }

    private CsvDataLoader.Loaded read(Path file, CsvOptions options) throws DataFormatException {
        return CsvDataLoader.read(file, null, ColumnSelection.ALL, options);
    }

    private Path writeBytes(String name, byte[] content) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, content);
        return file;
    }

    private static byte[] gzip(String text) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void gzipIsToldByItsMagicBytesNotItsName() throws Exception {
        String csv = "a,b,y\n1,2,0\n3.5,-4e2,1\n";
        for (String name : new String[] {"data.csv.gz", "data.csv", "data"}) {
            CsvDataLoader.Loaded loaded = read(writeBytes(name, gzip(csv)), CsvOptions.DEFAULT);
            assertTrue(loaded.gzip(), name);
            assertEquals("gzip", loaded.format());
            assertArrayEquals(new double[] {1, 2, 3.5, -400}, loaded.data().features());
        }
        CsvDataLoader.Loaded plain = read(write("plain.csv.gz", csv), CsvOptions.DEFAULT);
        assertFalse(plain.gzip(), "a name ending in .gz does not make plain text gzip");
        assertEquals("", plain.format());
    }

    @Test
    void semicolonsAndTabsAreFoundInTheHeaderAndAnyDelimiterCanBeGiven() throws Exception {
        CsvDataLoader.Loaded semi = read(write("semi.csv", "a;b;y\n1;2;0\n3;4;1\n"), CsvOptions.DEFAULT);
        assertEquals(';', semi.delimiter());
        assertEquals("';'-separated", semi.format());
        assertArrayEquals(new double[] {1, 2, 3, 4}, semi.data().features());
        CsvDataLoader.Loaded tabs = read(write("tabs.tsv", "a\tb\ty\n1\t2\t0\n3\t4\t1\n"), CsvOptions.DEFAULT);
        assertEquals('\t', tabs.delimiter());
        assertEquals("tab-separated", tabs.format());
        // A comma in the header wins: the default is never second-guessed.
        CsvDataLoader.Loaded commas = read(write("c.csv", "a;x,b,y\n1,2,0\n3,4,1\n"), CsvOptions.DEFAULT);
        assertEquals(',', commas.delimiter());
        assertEquals(List.of("a;x", "b"), commas.data().featureNames());
        CsvDataLoader.Loaded pipes = read(write("p.csv", "a|b|y\n1|2|0\n3|4|1\n"),
                new CsvOptions(CsvOptions.parseDelimiter("|"), null, null));
        assertEquals(List.of("a", "b"), pipes.data().featureNames());
        assertEquals('\t', CsvOptions.parseDelimiter("tab"));
        assertEquals('\t', CsvOptions.parseDelimiter("\\t"));
        assertThrows(IllegalArgumentException.class, () -> CsvOptions.parseDelimiter(";;"));
    }

    @Test
    void standardInputIsReadLikeAFile() throws Exception {
        byte[] bytes = gzip("a;b;y\n1;2;0\n3;4;1\n");
        CsvDataLoader.Loaded loaded = CsvDataLoader.read(new java.io.ByteArrayInputStream(bytes),
                CsvDataLoader.STDIN_NAME, null, ColumnSelection.ALL, CsvOptions.DEFAULT);
        assertEquals("gzip, ';'-separated", loaded.format());
        assertEquals("<stdin>", loaded.data().source());
        String msg = assertThrows(DataFormatException.class, () -> CsvDataLoader.read(
                new java.io.ByteArrayInputStream("a,y\n1,x\n".getBytes(StandardCharsets.UTF_8)),
                CsvDataLoader.STDIN_NAME, null, ColumnSelection.ALL, CsvOptions.DEFAULT)).getMessage();
        assertTrue(msg.startsWith("<stdin>:2: column 2 ('y'): label 'x'"), msg);
    }

    @Test
    void missingValuesAreCountedOverTheWholeFileOrTheirRowsDropped() throws Exception {
        Path f = write("gaps.csv", "id,a,b,y\nx,1,2,0\n,NA,2,1\ny,3,,0\nz,4,5,NA\nw,6,7,1\n");
        CsvOptions exclude = CsvOptions.DEFAULT;
        String msg = assertThrows(DataFormatException.class, () -> CsvDataLoader.read(f, null,
                ColumnSelection.allBut(List.of("id")), exclude)).getMessage();
        assertEquals(f + ":3: column 2 ('a'): missing value 'NA' (3 rows have missing values: 'a' in 1 row, 'b' in 1,"
                + " 'y' in 1); --missing drop-rows trains without those rows", msg, "the empty id is not read, so not counted");
        CsvDataLoader.Loaded dropped = CsvDataLoader.read(f, null, ColumnSelection.allBut(List.of("id")),
                new CsvOptions(null, CsvOptions.MissingValues.DROP_ROWS, null));
        assertEquals(3, dropped.droppedRows());
        assertEquals(java.util.Map.of("a", 1L, "b", 1L, "y", 1L), dropped.missingByColumn());
        assertEquals(2, dropped.data().rows());
        assertArrayEquals(new double[] {1, 2, 6, 7}, dropped.data().features());
        assertEquals(CsvOptions.MissingValues.DROP_ROWS, CsvOptions.MissingValues.parse("Drop-Rows"));
        assertThrows(IllegalArgumentException.class, () -> CsvOptions.MissingValues.parse("impute"));
    }

    @Test
    void positiveLabelNamesClassOneOfATextLabel() throws Exception {
        Path f = write("yesno.csv", "a,churned\n1,no\n2,Yes\n3,YES\n4,no\n");
        CsvDataLoader.Loaded loaded = read(f, new CsvOptions(null, null, "yes"));
        assertArrayEquals(new double[] {0, 1, 1, 0}, loaded.data().labels());
        CsvDataLoader.Loaded inverse = read(f, new CsvOptions(null, null, "no"));
        assertArrayEquals(new double[] {1, 0, 0, 1}, inverse.data().labels());
        Path three = write("three.csv", "a,y\n1,no\n2,yes\n3,maybe\n");
        assertEquals(three + ":4: column 2 ('y'): label 'maybe' is a third value besides 'no' and 'yes'; with"
                        + " --positive-label the label column must hold two classes",
                assertThrows(DataFormatException.class, () -> read(three, new CsvOptions(null, null, "yes"))).getMessage());
    }
}
