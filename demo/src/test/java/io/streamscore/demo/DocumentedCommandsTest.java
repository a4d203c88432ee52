package io.streamscore.demo;

import io.streamscore.scorer.ScorerCli;
import io.streamscore.trainer.cli.TrainerCli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The commands README.md and docs/*.md show are commands the programs take: in every shell block (and every shell
 * line of an unlabelled block) and every inline code span, each {@code trainer …}, {@code scorer …} or
 * {@code java … -jar X.jar …} invocation names a real subcommand and only options that command has under their current
 * names (an old, hidden name is an error here: docs show the new one). The option tables of README's Trainer and
 * Scorer sections and of docs/scorer.md and docs/demo.md name options of the program they describe.
 */
class DocumentedCommandsTest {
    private static final Pattern FENCE = Pattern.compile("(?ms)^```(\\w*)\\n(.*?)^```");
    private static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*)");

    /** The repository root: tests run in a module's directory, one below it. */
    private static Path root() {
        String configured = System.getProperty("streamscore.repo.root");
        Path start = Path.of(configured != null ? configured : System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))) {
                return p;
            }
        }
        throw new IllegalStateException("no README.md above " + start);
    }

    private static List<Path> documents() throws IOException {
        Path root = root();
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> files = Files.list(root.resolve("docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    private static CommandLine program(String name) {
        PrintWriter quiet = new PrintWriter(new StringWriter());
        return switch (name) {
            case "trainer" -> TrainerCli.commandLine(quiet, quiet);
            case "scorer" -> ScorerCli.commandLine(quiet, quiet, config -> { });
            case "demo" -> DemoMain.commandLine(quiet, quiet);
            default -> null;
        };
    }

    /** Shell-like words: quotes kept together and removed, brackets of optional parts removed. */
    static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        for (char c : command.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (Character.isWhitespace(c)) {
                if (word.length() > 0) {
                    words.add(word.toString());
                    word.setLength(0);
                }
            } else {
                word.append(c);
            }
        }
        if (word.length() > 0) {
            words.add(word.toString());
        }
        return words.stream().map(w -> w.replaceAll("^\\[+|]+$", "")).filter(w -> !w.isEmpty()).toList();
    }

    /** The commands of a shell text: continuation lines joined, comments dropped, split at && || | ; and newlines. */
    static List<String> commands(String shell) {
        List<String> commands = new ArrayList<>();
        for (String line : shell.replace("\\\n", " ").split("\n")) {
            String code = line.replaceAll("(^|\\s)#.*$", "");
            for (String part : code.split("&&|\\|\\||(?<!\\\\)\\||;")) {
                if (!part.isBlank()) {
                    commands.add(part.strip());
                }
            }
        }
        return commands;
    }

    /**
     * Checks one command when it runs one of the programs; returns what is wrong, or null.
     *
     * @param where the document and place, for the message
     */
    static String check(String where, String command) {
        List<String> w = words(command);
        if (w.isEmpty()) {
            return null;
        }
        String name;
        int next;
        if (w.get(0).equals("trainer") || w.get(0).equals("scorer")) {
            name = w.get(0);
            next = 1;
        } else if (w.get(0).equals("java") && w.contains("-jar") && w.indexOf("-jar") + 1 < w.size()) {
            String jar = Path.of(w.get(w.indexOf("-jar") + 1)).getFileName().toString();
            name = jar.replace(".jar", "");
            next = w.indexOf("-jar") + 2;
        } else {
            return null;
        }
        CommandLine cl = program(name);
        if (cl == null) {
            return null;
        }
        // Subcommands: "models list|retire" documents several at once; the first must exist.
        while (next < w.size() && !w.get(next).startsWith("-") && !cl.getSubcommands().isEmpty()) {
            String sub = w.get(next).split("\\|")[0];
            if (sub.equals("…") || sub.equals("...") || sub.equals("COMMAND")) {
                return null;
            }
            CommandLine child = cl.getSubcommands().get(sub);
            if (child == null) {
                return where + ": `" + command + "`: " + cl.getCommandSpec().qualifiedName() + " has no subcommand '"
                        + sub + "'";
            }
            cl = child;
            next++;
        }
        for (String word : w.subList(next, w.size())) {
            if (!word.startsWith("--") || word.length() < 3) {
                continue;
            }
            String option = word.split("=")[0];
            String problem = optionProblem(cl.getCommandSpec(), option);
            if (problem != null) {
                return where + ": `" + command + "`: " + problem;
            }
        }
        return null;
    }

    private static String optionProblem(CommandSpec spec, String option) {
        OptionSpec o = spec.findOption(option);
        if (o == null) {
            return spec.qualifiedName() + " has no option " + option;
        }
        if (o.hidden()) {
            return option + " is an old name of " + spec.qualifiedName() + " (hidden); show the new one (docs/cli.md)";
        }
        return null;
    }

    @Test
    void everyDocumentedCommandNamesRealSubcommandsAndCurrentOptions() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path doc : documents()) {
            String text = Files.readString(doc, StandardCharsets.UTF_8);
            String name = root().relativize(doc).toString();
            Matcher fence = FENCE.matcher(text);
            StringBuilder prose = new StringBuilder();
            int last = 0;
            while (fence.find()) {
                prose.append(text, last, fence.start());
                last = fence.end();
                String language = fence.group(1);
                boolean shell = language.equals("bash") || language.equals("sh") || language.equals("shell");
                if (!shell && !language.isEmpty()) {
                    continue;
                }
                for (String command : commands(fence.group(2))) {
                    if (!shell && !command.startsWith("java ")) {
                        continue; // an unlabelled block may be output; only its java lines are commands
                    }
                    String problem = check(name + " (block)", command);
                    checked += isProgram(command) ? 1 : 0;
                    if (problem != null) {
                        problems.add(problem);
                    }
                }
            }
            prose.append(text.substring(last));
            Matcher span = INLINE.matcher(prose);
            while (span.find()) {
                String code = span.group(1);
                if (code.startsWith("trainer ") || code.startsWith("scorer ") || code.startsWith("java ")) {
                    for (String command : commands(code)) {
                        String problem = check(name, command);
                        checked += isProgram(command) ? 1 : 0;
                        if (problem != null) {
                            problems.add(problem);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(checked >= 30, "commands checked: " + checked);
    }

    private static boolean isProgram(String command) {
        return command.startsWith("trainer ") || command.startsWith("scorer ") || command.matches("java .*-jar \\S*"
                + "(trainer|scorer|demo)\\.jar.*");
    }

    @Test
    void optionTablesNameOptionsOfTheProgramTheyDescribe() throws IOException {
        Path root = root();
        String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
        List<String> problems = new ArrayList<>();
        int checked = tableOptions("README.md ## Trainer", section(readme, "## Trainer"),
                program("trainer").getSubcommands().get("train").getCommandSpec(), problems);
        checked += tableOptions("README.md ## Scorer", section(readme, "## Scorer"), program("scorer").getCommandSpec(),
                problems);
        checked += tableOptions("docs/scorer.md ## Running it", section(Files.readString(root.resolve("docs/scorer.md")),
                "## Running it"), program("scorer").getCommandSpec(), problems);
        checked += tableOptions("docs/demo.md ## Options", section(Files.readString(root.resolve("docs/demo.md")),
                "## Options"), program("demo").getCommandSpec(), problems);
        assertEquals(List.of(), problems);
        assertTrue(checked >= 60, "options checked: " + checked);
    }

    /** The text from a heading to the next heading of the same level. */
    private static String section(String text, String heading) {
        int start = text.indexOf("\n" + heading + "\n");
        assertTrue(start >= 0, "no section " + heading);
        int end = text.indexOf("\n## ", start + heading.length() + 2);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /** Checks the options in the first cell of every table row; returns how many. */
    private static int tableOptions(String where, String section, CommandSpec spec, List<String> problems) {
        int n = 0;
        for (String row : section.lines().filter(l -> l.startsWith("| `-")).toList()) {
            String firstCell = row.substring(1, row.indexOf(" |", 1)).replace("[no-]", "");
            Matcher m = OPTION.matcher(firstCell);
            while (m.find()) {
                n++;
                String problem = optionProblem(spec, m.group(1));
                if (problem != null) {
                    problems.add(where + ": " + firstCell.strip() + ": " + problem);
                }
            }
        }
        return n;
    }

    @Test
    void theCheckerItselfCatchesAWrongOptionAnOldNameAndAWrongSubcommand() {
        assertEquals(null, check("t", "trainer train --data x.csv --exclude id --positive-label yes"));
        assertTrue(String.valueOf(check("t", "java -jar trainer/target/trainer.jar train --standardise"))
                .contains("trainer train has no option --standardise"));
        assertTrue(String.valueOf(check("t", "trainer publish --model m.json --model-topic models"))
                .contains("--model-topic is an old name"));
        assertTrue(String.valueOf(check("t", "trainer model list")).contains("has no subcommand 'model'"));
        assertTrue(String.valueOf(check("t", "java -jar scorer.jar --bootstrap-servers b:1 --startup-timeout 5"))
                .contains("--startup-timeout is an old name"));
        assertEquals(List.of("a --x 'y z'", "b"), commands("a --x 'y z' && b # comment"));
        assertEquals(List.of("kcat", "-b", "h", "-f", "%k %s\\n"), words("kcat -b h -f '%k %s\\n'"));
    }
}
