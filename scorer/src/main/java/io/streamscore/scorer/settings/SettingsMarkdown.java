package io.streamscore.scorer.settings;

import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Writes settings as the Markdown table that docs/ carries (docs/scorer.md: all of the scorer's, docs/outcomes.md: the
 * outcome group's), from the same definitions as validation and {@code --help}; a test fails when a document's table
 * differs from what this writes, so the docs cannot drift from the code.
 */
public final class SettingsMarkdown {
    private SettingsMarkdown() {
    }

    /** The table: option, property, default, the values allowed, and what the setting does. */
    public static String table(Collection<Setting> settings) {
        StringBuilder b = new StringBuilder();
        b.append("| Option | Property (`--client-config`) | Default | Values | Meaning |\n");
        b.append("|---|---|---|---|---|\n");
        for (Setting s : settings) {
            String option = s.flag().map(f -> code(f.name() + f.paramLabel().map(l -> " " + l).orElse(""))).orElse("–");
            String shownDefault = s.defaultText().isPresent() ? s.shownDefault()
                    : s.shownDefault().equals("none") ? "none" : code(s.shownDefault());
            StringBuilder meaning = new StringBuilder(s.documentation());
            s.flag().ifPresent(f -> f.hiddenAliases().forEach(old -> meaning.append(" The old name ").append(code(old))
                    .append(" still works for one release, with a note on stderr ([cli.md](cli.md#names-and-aliases)).")));
            if (s.isSecret()) {
                meaning.append(" A secret: shown as `[hidden]` wherever the configuration is logged.");
            }
            b.append("| ").append(cell(option)).append(" | ").append(cell(code(s.property()))).append(" | ")
                    .append(cell(shownDefault)).append(" | ").append(cell(s.allowed())).append(" | ")
                    .append(cell(meaning.toString())).append(" |\n");
        }
        return b.toString();
    }

    /**
     * {@code document} with the part between {@code <!-- NAME: begin -->} and {@code <!-- NAME: end -->} replaced by
     * {@code content}.
     *
     * @throws IllegalArgumentException when the markers are missing
     */
    public static String replaceBetween(String document, String name, String content) {
        String begin = beginMarker(name);
        String end = endMarker(name);
        int from = document.indexOf(begin);
        int to = document.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("no '" + begin + "' ... '" + end + "' in the document");
        }
        return document.substring(0, from + begin.length()) + "\n" + content + document.substring(to);
    }

    /** The part between the markers, as {@link #replaceBetween} would have written it. */
    public static String between(String document, String name) {
        int from = document.indexOf(beginMarker(name));
        int to = document.indexOf(endMarker(name));
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("no '" + beginMarker(name) + "' ... '" + endMarker(name) + "' in the document");
        }
        return document.substring(from + beginMarker(name).length() + 1, to);
    }

    private static String beginMarker(String name) {
        return "<!-- " + name + ": begin -->";
    }

    private static String endMarker(String name) {
        return "<!-- " + name + ": end -->";
    }

    private static String code(String s) {
        return "`" + s + "`";
    }

    private static String cell(String s) {
        return s.chars().mapToObj(c -> c == '|' ? "\\|" : String.valueOf((char) c)).collect(Collectors.joining());
    }
}
