package io.streamscore.scorer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@code /metrics} body in the Prometheus text format 0.0.4, parsed into its samples, so a test asserts a series'
 * value whatever the order of its labels and however the number is written ({@code 3}, {@code 3.0}). A series is
 * named as in PromQL: {@code name} or {@code name{label="value",…}}, labels in any order, values escaped as in the
 * format (backslash, double quote, {@code \n}). The parse is strict: a line that is not a comment or a well-formed
 * sample fails the test.
 */
public final class Scrape {
    /** One sample: metric name, labels (sorted by name) and value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final String text;
    private final Map<String, Sample> samples = new LinkedHashMap<>(); // canonical series -> sample
    private final Map<String, String> types = new LinkedHashMap<>(); // family -> TYPE

    private Scrape(String text) {
        this.text = text;
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                if (parts.length != 2 || types.put(parts[0], parts[1]) != null) {
                    throw new AssertionError("bad or repeated TYPE line: " + line);
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Parser p = new Parser(line);
            Sample s = p.sample();
            if (samples.put(key(s.name(), s.labels()), s) != null) {
                throw new AssertionError("series twice: " + line);
            }
        }
    }

    public static Scrape parse(String text) {
        return new Scrape(text);
    }

    /** The body as it was. */
    public String text() {
        return text;
    }

    /** Whether the series exists. */
    public boolean has(String series) {
        return samples.containsKey(canonical(series));
    }

    /** The series' value; fails (showing the body) when it is absent. */
    public double value(String series) {
        Sample s = samples.get(canonical(series));
        if (s == null) {
            throw new AssertionError("no series " + series + " in:\n" + text);
        }
        return s.value();
    }

    /** Every sample of metric {@code name} (a histogram's bucket, sum and count samples are names of their own). */
    public List<Sample> samples(String name) {
        return samples.values().stream().filter(s -> s.name().equals(name)).toList();
    }

    /** Every sample, in the order of the body. */
    public List<Sample> all() {
        return List.copyOf(samples.values());
    }

    /** Family name → its TYPE ({@code counter}, {@code gauge}, {@code histogram}, {@code summary}, …). */
    public Map<String, String> types() {
        return Collections.unmodifiableMap(types);
    }

    private static String canonical(String series) {
        Sample s = new Parser(series + " 0").sample();
        return key(s.name(), s.labels());
    }

    private static String key(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> b.append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"")
                .replace("\n", "\\n")).append("\","));
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    /** One sample line: {@code name[{k="v",…}] value [timestamp]}. */
    private static final class Parser {
        private final String line;
        private int i;

        Parser(String line) {
            this.line = line;
        }

        Sample sample() {
            String name = token("[a-zA-Z_:][a-zA-Z0-9_:]*");
            Map<String, String> labels = new TreeMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (line.charAt(i) != '}') {
                    String label = token("[a-zA-Z_][a-zA-Z0-9_]*");
                    expect('=');
                    expect('"');
                    StringBuilder v = new StringBuilder();
                    for (char c = line.charAt(i++); c != '"'; c = line.charAt(i++)) {
                        if (c == '\\') {
                            char e = line.charAt(i++);
                            v.append(switch (e) {
                                case 'n' -> '\n';
                                case '\\', '"' -> e;
                                default -> throw new AssertionError("bad escape \\" + e + " in: " + line);
                            });
                        } else {
                            v.append(c);
                        }
                    }
                    if (labels.put(label, v.toString()) != null) {
                        throw new AssertionError("label twice in: " + line);
                    }
                    if (line.charAt(i) == ',') {
                        i++;
                    }
                }
                i++;
            }
            expect(' ');
            String[] rest = line.substring(i).split(" ");
            if (rest.length < 1 || rest.length > 2) {
                throw new AssertionError("bad sample: " + line);
            }
            double value = switch (rest[0]) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(rest[0]);
            };
            return new Sample(name, Collections.unmodifiableMap(labels), value);
        }

        private String token(String regex) {
            int start = i;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '=') {
                i++;
            }
            String t = line.substring(start, i);
            if (!t.matches(regex)) {
                throw new AssertionError("bad name '" + t + "' in: " + line);
            }
            return t;
        }

        private void expect(char c) {
            if (i >= line.length() || line.charAt(i) != c) {
                throw new AssertionError("expected '" + c + "' at " + i + " in: " + line);
            }
            i++;
        }
    }
}
