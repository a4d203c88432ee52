package io.streamscore.trainer.hostile;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.trainer.cli.TrainerCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile CSV files through the real trainer CLI ({@code trainer train --data FILE}): each is either valid (exit 0, a
 * model written) or refused with exit 1 and one clear line on stderr that names the file (and the line and column
 * where there is one), never a stack trace. All files are generated here.
 */
class HostileCsvTest {
    private static final String GOOD_ROWS = "1.5,2,0\n-1,0.5,1\n2,-3,0\n-0.5,1,1\n";

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private record Case(String name, byte[] content, int exit, String expected, String... extraArgs) {
    }

    private static Case ok(String name, String content, String... extraArgs) {
        return ok(name, content.getBytes(StandardCharsets.UTF_8), extraArgs);
    }

    private static Case ok(String name, byte[] content, String... extraArgs) {
        return new Case(name, content, 0, null, extraArgs);
    }

    private static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static Case fails(String name, String content, String expected, String... extraArgs) {
        return fails(name, content.getBytes(StandardCharsets.UTF_8), expected, extraArgs);
    }

    private static Case fails(String name, byte[] content, String expected, String... extraArgs) {
        return new Case(name, content, 1, expected, extraArgs);
    }

    private static byte[] bytes(String prefix, byte[] middle, String suffix) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefix.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(suffix.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** The cases; {@code expected} is matched after "FILE" in it is replaced by the data file's path. */
    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        String good = "a,b,y\n" + GOOD_ROWS;
        c.add(ok("plain", good));
        c.add(ok("UTF-8 BOM", "\uFEFF" + good));
        c.add(ok("CRLF line ends", good.replace("\n", "\r\n")));
        c.add(ok("CR-only line ends", good.replace("\n", "\r")));
        c.add(ok("quoted fields and names", "\"a\",\"b\",\"y\"\n\"1.5\",\"2\",\"0\"\n\"-1\",\"0.5\",\"1\"\n2,-3,0\n-0.5,1,1\n"));
        c.add(ok("spaces around fields", "a , b ,y\n 1.5 , 2 ,0\n-1,0.5, 1\n2,-3,0\n-0.5,1,1\n"));
        c.add(ok("empty lines in the middle and at the end", "a,b,y\n1.5,2,0\n\n-1,0.5,1\n\n\n2,-3,0\n-0.5,1,1\n\n"));
        c.add(ok("no newline at the end", good.strip()));
        c.add(ok("labels as true/false", "a,b,y\n1.5,2,false\n-1,0.5,TRUE\n2,-3,0.0\n-0.5,1,1.0\n"));
        c.add(ok("unicode column names", "größe,年齢,y\n" + GOOD_ROWS));
        // ---- shapes other tools write ----
        c.add(ok("gzip-compressed", gzip(good.getBytes(StandardCharsets.UTF_8))));
        c.add(ok("gzip-compressed with a BOM, CRLF", gzip(("\uFEFF" + good.replace("\n", "\r\n")).getBytes(StandardCharsets.UTF_8))));
        c.add(ok("semicolons", good.replace(',', ';')));
        c.add(ok("semicolons and decimal points, gzip", gzip(good.replace(',', ';').getBytes(StandardCharsets.UTF_8))));
        c.add(ok("tabs", good.replace(',', '\t')));
        c.add(ok("pipes with --delimiter", good.replace(',', '|'), "--delimiter", "|"));
        c.add(ok("a comma inside a quoted header name of a ;-file", "\"a,1\";b;y\n" + GOOD_ROWS.replace(',', ';')));
        c.add(fails("semicolons and decimal commas", "a;b;y\n1,5;2;0\n", "FILE:2: column 1 ('a'): '1,5' is not a number (a decimal comma? numbers need a decimal point: 1.5, not 1,5)"));
        c.add(fails("both ; and tabs in a header without commas", "a;b\tc;y\n1;2\t3;0\n",
                "FILE:1: the header has no comma but both ';' and tabs; say which one separates the columns with --delimiter ';' or --delimiter tab"));
        c.add(fails("pipes without --delimiter", good.replace(',', '|'),
                "FILE: line 1: only the label column 'a|b|y'; at least one feature column is needed (for columns separated by something else than a comma, ';' or a tab, give --delimiter)"));
        c.add(fails("truncated gzip", Arrays.copyOf(gzip(good.getBytes(StandardCharsets.UTF_8)), 20),
                "FILE: the gzip data is corrupt or truncated (Unexpected end of ZLIB input stream)"));
        c.add(fails("gzip of binary garbage", gzip(new byte[] {(byte) 0xc3, 0x28, 0x00}), "FILE: not valid UTF-8 text"));
        c.add(fails("empty file", "", "FILE: the file is empty; expected a header row naming the columns"));
        c.add(fails("only a BOM", "\uFEFF", "FILE: the file is empty; expected a header row naming the columns"));
        c.add(fails("only a header", "a,b,y\n", "FILE: has a header but no data rows"));
        c.add(fails("only a header and empty lines", "a,b,y\n\n\n", "FILE: has a header but no data rows"));
        c.add(fails("only the label column", "y\n0\n1\n", "FILE: line 1: only the label column 'y'; at least one feature column is needed (for columns separated by something else than a comma, ';' or a tab, give --delimiter)"));
        c.add(fails("truncated mid-row", good + "5,", "FILE:6: 2 fields but the header has 3 columns"));
        c.add(fails("truncated after the first field", good + "5", "FILE:6: 1 fields but the header has 3 columns"));
        // Quoting errors, reported at the line where the quoted field starts.
        c.add(fails("truncated mid-quote", good + "\"5", "FILE:6: a quoted field opened here is not closed before the end of the file"));
        c.add(fails("unterminated quote in the header", "a,\"b,y\n" + GOOD_ROWS,
                "FILE:1: a quoted field opened here is not closed before the end of the file"));
        c.add(fails("garbage after a closing quote", "a,b,y\n\"1.5\"x,2,0\n" + GOOD_ROWS,
                "FILE:2: unexpected character after a closing quote (character 12 of the file); a quoted field must end at a comma or the end of the line"));
        c.add(fails("row with too many fields", "a,b,y\n1.5,2,0,9\n" + GOOD_ROWS, "FILE:2: 4 fields but the header has 3 columns"));
        c.add(fails("NaN", "a,b,y\n1.5,2,0\nNaN,0.5,1\n", "FILE:3: column 1 ('a'): missing value 'NaN' (1 row has missing values: 'a' in 1 row); --missing drop-rows trains without those rows"));
        c.add(fails("Infinity", "a,b,y\n1.5,Infinity,0\n", "FILE:2: column 2 ('b'): 'Infinity' is not a finite number; remove or impute such rows before training"));
        c.add(fails("-inf", "a,b,y\n-inf,2,0\n", "FILE:2: column 1 ('a'): '-inf' is not a finite number; remove or impute such rows before training"));
        c.add(fails("1e400", "a,b,y\n1e400,2,0\n", "FILE:2: column 1 ('a'): '1e400' is too large for a double"));
        c.add(fails("hex number", "a,b,y\n0x10,2,0\n", "FILE:2: column 1 ('a'): '0x10' is not a number"));
        c.add(fails("Java float suffix", "a,b,y\n1.5d,2,0\n", "FILE:2: column 1 ('a'): '1.5d' is not a number"));
        c.add(fails("two minus signs", "a,b,y\n--1,2,0\n", "FILE:2: column 1 ('a'): '--1' is not a number"));
        c.add(fails("empty value", "a,b,y\n,2,0\n", "FILE:2: column 1 ('a'): missing value (1 row has missing values: 'a' in 1 row); --missing drop-rows trains without those rows"));
        c.add(fails("missing values of several kinds, all counted", "a,b,y\n1,2,0\nNA,2,1\n3,,0\n4,N/A,1\n,null,0\n5,6,\n",
                "FILE:3: column 1 ('a'): missing value 'NA' (5 rows have missing values: 'b' in 3 rows, 'a' in 2, 'y' in 1); --missing drop-rows trains without those rows"));
        c.add(ok("missing values dropped", "a,b,y\n" + GOOD_ROWS + "NA,2,1\n3,,0\n", "--missing", "drop-rows"));
        c.add(fails("missing values dropped, none left", "a,b,y\nNA,2,1\n3,,0\n",
                "FILE: has a header but no data rows without a missing value (2 rows left out: 'a' in 1 row, 'b' in 1)", "--missing", "drop-rows"));
        c.add(fails("a text column", "a,plan,y\n1.5,gold,0\n",
                "FILE:2: column 2 ('plan'): 'gold' is not a number; the column holds text: leave it out with --exclude plan, or encode it as numbers first (e.g. one 0/1 column per value)"));
        c.add(ok("a text column excluded", "a,plan,b,y\n1.5,gold,2,0\n-1,silver,0.5,1\n2,gold,-3,0\n-0.5,none,1,1\n", "--exclude", "plan"));
        c.add(fails("quoted newline in a number", "a,b,y\n\"1\n2\",2,0\n", "FILE:2: column 1 ('a'): '1\\n2' is not a number"));
        c.add(fails("row numbers count quoted line breaks", "a,b,y\n1.5,2,\"0\"\n\"x\ny\",1,0\nbad,1,0\n",
                "FILE:3: column 1 ('a'): 'x\\ny' is not a number; the column holds text: leave it out with --exclude a, or encode it as numbers first (e.g. one 0/1 column per value)"));
        c.add(fails("label 2.0", "a,b,y\n1.5,2,2.0\n", "FILE:2: column 3 ('y'): label '2.0' is not 0/1, true/false or 0.0/1.0"));
        c.add(fails("label -1", "a,b,y\n1.5,2,0\n1,2,-1\n", "FILE:3: column 3 ('y'): label '-1' is not 0/1, true/false or 0.0/1.0"));
        c.add(fails("label yes", "a,b,y\n1.5,2,yes\n", "FILE:2: column 3 ('y'): label 'yes' is not 0/1, true/false or 0.0/1.0; for labels such as yes/no, name the class that is 1 with --positive-label VALUE"));
        c.add(ok("labels yes/no with --positive-label", "a,b,y\n1.5,2,no\n-1,0.5,Yes\n2,-3,no\n-0.5,1,yes\n", "--positive-label", "yes"));
        c.add(fails("a third label value with --positive-label", "a,b,y\n1.5,2,no\n-1,0.5,yes\n2,-3,maybe\n",
                "FILE:4: column 3 ('y'): label 'maybe' is a third value besides 'no' and 'yes'; with --positive-label the label column must hold two classes", "--positive-label", "yes"));
        c.add(fails("--positive-label never seen", "a,b,y\n1.5,2,no\n-1,0.5,nope\n",
                "FILE: column 3 ('y'): no row has the positive label 'yes' (--positive-label); the column holds 'no' and 'nope'", "--positive-label", "yes"));
        c.add(fails("missing label", "a,b,y\n1.5,2,\n", "FILE:2: column 3 ('y'): missing label (1 row has missing values: 'y' in 1 row); --missing drop-rows trains without those rows"));
        c.add(fails("one class only", "a,b,y\n1,2,1\n3,4,1\n", "FILE: column 3 ('y'): every one of the 2 rows has label 1; logistic regression needs examples of both classes 0 and 1"));
        c.add(fails("duplicate header names", "a,b,a,y\n1,2,3,0\n", "FILE:1: column 3 ('a') has the same name as column 1"));
        c.add(fails("empty header name", "a,,y\n1,2,0\n", "FILE:1: column 2 has an empty name in the header"));
        c.add(fails("--label names no column", good, "FILE:1: no label column 'nope'; the header has [a, b, y]", "--label", "nope"));
        c.add(fails("invalid UTF-8 in a value", bytes("a,b,y\n1.5,", new byte[]{(byte) 0xc3, 0x28}, ",0\n"), "FILE: not valid UTF-8 text"));
        c.add(fails("overlong UTF-8 in the header", bytes("a,b", new byte[]{(byte) 0xc0, (byte) 0xaf}, ",y\n" + GOOD_ROWS), "FILE: not valid UTF-8 text"));
        c.add(fails("UTF-16 file", ("\uFEFF" + good).getBytes(StandardCharsets.UTF_16LE), "FILE: not valid UTF-8 text"));
        byte[] garbage = new byte[64 * 1024];
        new SplittableRandom(11).nextBytes(garbage);
        c.add(fails("binary garbage", garbage, "FILE: not valid UTF-8 text"));
        // Trimming removes every character up to U+0020, NUL included.
        c.add(fails("NUL bytes in a value", bytes("a,b,y\n1.5,", new byte[]{0, 0}, ",0\n"), "FILE:2: column 2 ('b'): missing value (1 row has missing values: 'b' in 1 row); --missing drop-rows trains without those rows"));
        // ---- size ----
        String tenMbNumber = "1".repeat(10 << 20);
        c.add(fails("a line of 10 MB: one huge number", "a,b,y\n1.5,2,0\n" + tenMbNumber + ",2,1\n",
                "FILE:3: column 1 ('a'): '1111111111111111111111111111111111111...' is too large for a double"));
        c.add(fails("a line of 10 MB: one huge word", "a,b,y\n1.5,2,0\n1,2,1\n" + "x".repeat(10 << 20) + ",2,1\n",
                "FILE:4: column 1 ('a'): 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is not a number; the column holds text: leave it out with --exclude a, or encode it as numbers first (e.g. one 0/1 column per value)"));
        c.add(fails("a line of 2 MB: a million fields", "a,b,y\n" + "1,".repeat(1 << 20) + "0\n",
                "FILE:2: " + ((1 << 20) + 1) + " fields but the header has 3 columns"));
        c.add(fails("a 1,000,000-column header only", wideHeader(1_000_000) + "\n", "FILE: has a header but no data rows"));
        c.add(fails("a 1,000,000-column header, --label names no column", wideHeader(1_000_000) + "\n1,0\n",
                "FILE:1: no label column 'nope'; the header has 1000000 columns: [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, ...]",
                "--label", "nope"));
        c.add(fails("a 1,000,000-column header, short data rows", wideHeader(1_000_000) + "\n1.5,2,0\n",
                "FILE:2: 3 fields but the header has 1000000 columns"));
        return c;
    }

    /** c0..c(n-2) and the label y. */
    private static String wideHeader(int n) {
        StringBuilder b = new StringBuilder(n * 8);
        for (int i = 0; i < n - 1; i++) {
            b.append('c').append(i).append(',');
        }
        return b.append('y').toString();
    }

    private Run train(Path data, String... extra) {
        return train(data, 20, extra);
    }

    private Run train(Path data, int iterations, String... extra) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", dir.resolve("model.json").toString(),
                "--quiet", "--holdout", "0", "--iterations", String.valueOf(iterations), "--threads", "1",
                "--allow-unconverged"));
        args.addAll(List.of(extra));
        int exit = TrainerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private static void assertNoStackTrace(String name, Run r) {
        for (String s : new String[]{r.out(), r.err()}) {
            assertTrue(!s.contains("Exception") && !s.contains("\tat ") && !s.contains("Error:"),
                    () -> name + ": looks like a stack trace:\n" + abbreviate(s));
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "… (" + s.length() + " chars)";
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyHostileCsvIsTrainedOrRefusedWithOneClearLineAndNoStackTrace() throws IOException {
        List<Case> cases = cases();
        List<String> deviations = new ArrayList<>();
        long start = System.nanoTime();
        int n = 0;
        for (Case k : cases) {
            Path file = dir.resolve("case-" + (n++) + ".csv");
            Files.write(file, k.content());
            Files.deleteIfExists(dir.resolve("model.json"));
            Run r = train(file, k.extraArgs());
            assertNoStackTrace(k.name(), r);
            if (r.exit() != k.exit()) {
                deviations.add(k.name() + ": exit " + r.exit() + ", expected " + k.exit() + "; stderr: " + abbreviate(r.err()));
                continue;
            }
            if (k.exit() == 0) {
                LogisticModel m = ModelJson.fromBytes(Files.readAllBytes(dir.resolve("model.json")));
                if (m.featureCount() != 2) {
                    deviations.add(k.name() + ": a model with " + m.featureCount() + " features");
                }
                continue;
            }
            String expected = "error: " + k.expected().replace("FILE", file.toString());
            String err = r.err().strip();
            if (!err.equals(expected)) {
                deviations.add(k.name() + ": stderr\n    " + abbreviate(err) + "\n  expected\n    " + expected);
            }
            if (Files.exists(dir.resolve("model.json"))) {
                deviations.add(k.name() + ": a model was written");
            }
            Files.delete(file);
        }
        assertEquals(List.of(), deviations, "CSV files handled differently from the contract");
        System.out.printf("hostile CSV: %d files, %.1f s%n", cases.size(), (System.nanoTime() - start) / 1e9);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aMillionColumnFileWithDataRowsTrainsInsteadOfRunningOutOfMemory() throws IOException {
        int columns = 1_000_000;
        StringBuilder b = new StringBuilder(columns * 12).append(wideHeader(columns)).append('\n');
        SplittableRandom random = new SplittableRandom(5);
        for (int row = 0; row < 2; row++) {
            for (int i = 0; i < columns - 1; i++) {
                b.append(random.nextInt(10)).append(',');
            }
            b.append(row % 2).append('\n');
        }
        Path file = dir.resolve("wide.csv");
        Files.writeString(file, b);
        Run r = train(file, 2);
        assertNoStackTrace("wide", r);
        assertEquals(0, r.exit(), () -> abbreviate(r.err()));
        assertTrue(Pattern.compile("2 rows x 999999 features").matcher(r.out()).find(), () -> abbreviate(r.out()));
    }
}
