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
        assertEquals(f + ":3: column 2 ('age'): 'abc' is not a number", error(f, null));
    }

    @Test
    void missingValueIsNamed() throws Exception {
        Path f = write("missing.csv", "a,b,y\n1,2,0\n1,,1\n");
        assertEquals(f + ":3: column 2 ('b'): missing value", error(f, null));
    }

    @Test
    void nanAndInfinityAreRefused() throws Exception {
        Path f = write("nan.csv", "a,b,y\n1,NaN,0\n");
        assertEquals(f + ":2: column 2 ('b'): 'NaN' is not a finite number; remove or impute such rows before training",
                error(f, null));
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
        assertEquals(f + ":3: column 2 ('y'): label 'yes' is not 0/1, true/false or 0.0/1.0", error(f, null));
        Path g = write("nolabel.csv", "a,y\n1,0\n");
        assertEquals(g + ":1: no label column 'target'; the header has [a, y]", error(g, "target"));
        Path m = write("emptylabel.csv", "a,y\n1,0\n2,\n");
        assertEquals(m + ":3: column 2 ('y'): missing label", error(m, null));
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
        assertEquals(f + ":2: column 1 ('id'): 'u-1' is not a number", error(f, "y"));
        assertEquals(f + ":1: no column 'd' (--exclude); the columns are [id, a, b, c]",
                assertThrows(DataFormatException.class,
                        () -> CsvDataLoader.load(f, "y", ColumnSelection.allBut(List.of("d")))).getMessage());
        assertEquals(f + ":1: 'y' is the label column, not a feature", assertThrows(DataFormatException.class,
                () -> CsvDataLoader.load(f, "y", ColumnSelection.only(List.of("a", "y")))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ColumnSelection(List.of("a"), List.of("b")));
        assertThrows(IllegalArgumentException.class, () -> ColumnSelection.only(List.of("a", "a")));
    }
}
