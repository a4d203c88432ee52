package io.streamscore.e2e;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, and the expressions of a Grafana dashboard. Enough PromQL for
 * dashboards: string literals, label matchers ({@code {…}}), ranges and subqueries ({@code […]}) and the label lists of
 * {@code by}, {@code without}, {@code on}, {@code ignoring}, {@code group_left} and {@code group_right} are removed;
 * what is left that is a name, not a function call, a keyword or a number, is a metric.
 */
final class PromQl {
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    /** Grafana's {@code label_values(metric, label)}: only the metric is one. */
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)"
            + "(\\{[^}]*})?\\s*,\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*$");

    private PromQl() {
    }

    /** The metric names {@code expr} reads. */
    static Set<String> metricNames(String expr) {
        Matcher lv = LABEL_VALUES.matcher(expr);
        if (lv.matches()) {
            return Set.of(lv.group(1));
        }
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("'(\\\\.|[^'\\\\])*'", "''")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ");
        s = LABEL_LIST.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(s);
        while (m.find()) {
            String name = m.group();
            int after = m.end();
            while (after < s.length() && Character.isWhitespace(s.charAt(after))) {
                after++;
            }
            boolean call = after < s.length() && s.charAt(after) == '(';
            boolean partOfNumber = m.start() > 0 && (Character.isDigit(s.charAt(m.start() - 1))
                    || s.charAt(m.start() - 1) == '.');
            boolean variable = m.start() > 0 && s.charAt(m.start() - 1) == '$';
            if (!call && !partOfNumber && !variable && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    /** One query of a dashboard: where it is (panel title or variable name) and its text. */
    record Query(String where, String expr) {
    }

    /** Every PromQL query of a Grafana dashboard: the panels' targets (rows' nested panels too) and query variables. */
    static List<Query> queries(JsonNode dashboard) {
        List<Query> out = new ArrayList<>();
        collect(dashboard.path("panels"), out);
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("type").asText().equals("query")) {
                JsonNode q = v.path("query");
                out.add(new Query("variable $" + v.path("name").asText(), q.isTextual() ? q.asText() : q.path("query").asText()));
            }
        }
        return out;
    }

    private static void collect(JsonNode panels, List<Query> out) {
        for (JsonNode p : panels) {
            for (JsonNode t : p.path("targets")) {
                out.add(new Query("panel '" + p.path("title").asText() + "' " + t.path("refId").asText(),
                        t.path("expr").asText()));
            }
            collect(p.path("panels"), out);
        }
    }
}
