package io.streamscore.scorer;

import io.streamscore.common.kafka.ClientProperties;
import io.streamscore.scorer.settings.Setting;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * The scorer's command line: {@code java -jar scorer.jar --bootstrap-servers HOST:PORT [options]}. Its options are the
 * flags of the settings in {@link ScorerConfig#SETTINGS}, built from their definitions ({@link #spec}).
 */
@Command(name = "scorer", mixinStandardHelpOptions = true, versionProvider = ScorerCli.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
                "Scores feature events from Kafka with the latest logistic-regression model per model id",
                "(or, with --model-selection event-time, the version that was served at each event's timestamp).",
                "Reads models (compacted topic, keys ID@vN) and features; writes scores, dead letters and challengers' shadow scores.",
                "Settings are layered: defaults, then --client-config FILE, then these flags.",
                "",
                "Examples:",
                "  scorer --bootstrap-servers localhost:9092 --create-topics",
                "  scorer --bootstrap-servers localhost:9092 --http-port 0",
                "  scorer --bootstrap-servers b:9093 --client-config sasl.properties",
                "",
                "(run as: java -jar scorer/target/scorer.jar ...)",
                ""})
public final class ScorerCli implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    /**
     * Options renamed to the vocabulary the trainer and the demo share, old name → new name. The old names still work,
     * hidden from the help, for one more release; using one prints a note on stderr. docs/cli.md lists them. Declared
     * with the settings' flags ({@link ScorerConfig#SETTINGS}).
     */
    public static final Map<String, String> RENAMED = ScorerConfig.SETTINGS.renamedFlags();

    /** The one option that is not a setting: where the other settings may come from. */
    static final String CLIENT_CONFIG = "--client-config";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Runner runner;

    /** How a resolved config is run; the real one starts the app, tests capture the config instead. */
    @FunctionalInterface
    public interface Runner {
        void run(ScorerConfig config) throws Exception;
    }

    ScorerCli(Runner runner) {
        this.runner = runner;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                config -> new ScorerApp(config).run()).execute(args));
    }

    /** The command line with the given writers and runner, so tests can capture output and the config. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, Runner runner) {
        CommandLine cl = new CommandLine(spec(new ScorerCli(runner)));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("error: " + e.getMessage() + " (see 'scorer --help')");
            return EXIT_USAGE;
        });
        cl.setExecutionStrategy(parseResult -> {
            RENAMED.forEach((old, now) -> {
                if (parseResult.hasMatchedOption(old)) {
                    cl.getErr().println("note: " + old + " is now " + now + "; the old name works until the next release");
                }
            });
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setExecutionExceptionHandler((e, c, parseResult) -> {
            c.getErr().println("error: " + e);
            org.slf4j.LoggerFactory.getLogger(ScorerCli.class).error("Scorer failed", e);
            return EXIT_FAILED;
        });
        return cl;
    }

    /**
     * The command: the annotations give its name, description and examples; every option is added here from the
     * settings' definitions, in their order, with the description and default of its ConfigDef entry. Options carry
     * no picocli default: a flag the user did not give must not override the --client-config file.
     */
    static CommandLine.Model.CommandSpec spec(ScorerCli cli) {
        CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.forAnnotatedObject(cli);
        for (Setting s : ScorerConfig.SETTINGS.all()) {
            if (s.flag().isEmpty()) {
                continue;
            }
            Setting.Flag f = s.flag().get();
            spec.addOption(option(f.name(), f, false).description(helpText(s)).build());
            for (String old : f.hiddenAliases()) {
                spec.addOption(option(old, f, true).build());
            }
        }
        spec.addOption(CommandLine.Model.OptionSpec.builder(CLIENT_CONFIG).paramLabel("FILE").type(Path.class)
                .description("Properties file with any Kafka client/Streams property (e.g. SASL/SSL) and streamscore.* "
                        + "settings (their property names: docs/scorer.md).").build());
        return spec;
    }

    private static CommandLine.Model.OptionSpec.Builder option(String name, Setting.Flag f, boolean hidden) {
        CommandLine.Model.OptionSpec.Builder b = CommandLine.Model.OptionSpec.builder(name).hidden(hidden);
        return f.isSwitch() ? b.arity("0").type(boolean.class) : b.paramLabel(f.paramLabel().get()).type(String.class);
    }

    /** A flag's help: its setting's documentation (without markup) and default. */
    static String helpText(Setting s) {
        // picocli formats descriptions (%n, %s): a literal percent sign must be doubled.
        return (s.plainDocumentation() + " Default: " + s.shownDefault() + ".").replace("%", "%%");
    }

    @Override
    public Integer call() throws Exception {
        ScorerConfig config;
        try {
            config = ScorerConfig.resolve(readFile(), flags(spec.commandLine().getParseResult()));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            runner.run(config);
        } catch (ScorerApp.MissingTopicsException | ScorerApp.ModelTopicPolicyException | HttpEndpoint.PortInUseException
                 | ScorerApp.CoPartitioningException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return EXIT_FAILED;
        }
        return EXIT_OK;
    }

    private Map<String, String> readFile() {
        Map<String, String> m = new LinkedHashMap<>();
        Path clientConfig = spec.commandLine().getParseResult().matchedOptionValue(CLIENT_CONFIG, null);
        if (clientConfig == null) {
            return m;
        }
        Properties p = ClientProperties.load(clientConfig);
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    /** The properties the given flags set; a flag's current name wins over its old one. */
    static Map<String, String> flags(CommandLine.ParseResult parsed) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Setting s : ScorerConfig.SETTINGS.all()) {
            if (s.flag().isEmpty()) {
                continue;
            }
            Setting.Flag f = s.flag().get();
            List<String> names = new ArrayList<>(f.hiddenAliases());
            names.add(f.name());
            for (String name : names) {
                if (parsed.hasMatchedOption(name)) {
                    String value = f.isSwitch() ? "true" : parsed.matchedOptionValue(name, (String) null);
                    m.putAll(f.toProperties().apply(value));
                }
            }
        }
        return m;
    }

    /** {@code --version}: the version the build wrote into the jar, with the Kafka and Java versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {io.streamscore.common.BuildVersion.line("scorer", ScorerCli.class)};
        }
    }
}
