package dev.jfutures.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The {@code jfutures} command. Its subcommands are the book's programs as tools, run on any of
 * the library's executors.
 *
 * <pre>
 * jfutures find ROOT PATTERN [--executor thread|virtual|process] [--workers N] [-0 | --json]
 * jfutures compress INPUT [-o OUTPUT] [--executor KIND] [--workers N] [-f] [--[no-]progress]
 * jfutures decompress INPUT [-o OUTPUT] [--format bmp|png] [--executor KIND] [--workers N] [-f] [--[no-]progress]
 * jfutures samples OUTDIR [--count N] [--size WxH] [--format bmp|png|gif] [--kind KIND] [--seed S] [-f]
 * </pre>
 *
 * <p>Exit codes ({@link ExitCodes}), the same for every command: 0 success, 1 some input failed
 * (an unreadable directory, a file that could not be done) or the output could not be written, 2 a
 * usage error (a one-line message and {@code Try 'jfutures CMD --help' for more information.} on
 * stderr, never the full help), 141 stdout's reader went away (as a shell reports GNU find killed
 * by SIGPIPE); {@code find} also 2 for a missing ROOT; compress and decompress 66 for a missing
 * INPUT; compress, decompress and samples 73 for an output directory that cannot be created.
 */
public final class Main implements Runnable {

    /** The model this object runs in, for {@link #run}'s usage error. */
    CommandSpec spec;

    /**
     * Runs the command and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // picocli registers its converters for java.time and java.sql types by Class.forName at each
        // start, loading and initializing some 20 classes; no option of any command has such a type.
        // A user who sets the property (JFUTURES_JAVA_OPTS) keeps theirs.
        if (System.getProperty(CONVERTER_EXCLUDES) == null) {
            System.setProperty(CONVERTER_EXCLUDES, UNUSED_CONVERTERS);
        }
        // Paths are printed in the platform's file-name encoding, so that they round-trip (under the
        // launcher's Latin-1 LC_CTYPE, byte for byte: see FileNames); buffered, because find can
        // print millions of lines.
        Charset names = fileNameCharset();
        Stdout out = new Stdout(new FileOutputStream(FileDescriptor.out), names, 1 << 16);
        // stderr in the same encoding: its messages name files too (see FileNames). Not buffered
        // beyond a line: a warning must appear when it happens.
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), names), true);
        CommandLine cmd = commandLine(new Factory(), args).setOut(out).setErr(err);
        int code = cmd.execute(args);
        out.flush();
        // A failed write of any command's output (its help and --version included) is an error, as
        // in GNU tools: "jfutures: write error: ..." and exit 1, or 141 quietly for a closed pipe.
        System.exit(Stdout.exitCode(out, cmd.getErr(), code));
    }

    /**
     * picocli's system property: regular expressions, comma-separated, of the classes whose built-in
     * converters it does not register.
     */
    static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

    /** The converters {@link #main} has picocli skip: those of the java.time and java.sql types. */
    static final String UNUSED_CONVERTERS = "java\\.time\\..*,java\\.sql\\..*";

    /**
     * The subcommands, by name: each makes its command object with the factory it is given, and
     * returns what {@link CommandLine#addSubcommand(String, Object)} takes. Not in a {@code @Command}
     * annotation: picocli would build every one's model at each start, and a run needs one. {@link
     * #commandLine} adds the one the arguments name, or all of them.
     *
     * <p>{@code find}, {@code compress} and {@code decompress} return models built in code, with no
     * annotation read (see {@link Models} for the cost measured). {@code samples} and {@code bench}
     * are not timed, so they stay annotated classes: picocli reads their annotations only when they
     * run, or when every subcommand is added (help, or no command).
     */
    static final Map<String, Function<CommandLine.IFactory, Object>> COMMANDS = commands();

    private static Map<String, Function<CommandLine.IFactory, Object>> commands() {
        Map<String, Function<CommandLine.IFactory, Object>> m = new LinkedHashMap<>();
        m.put("find", FindCommand::model);
        m.put("compress", CompressCommand::model);
        m.put("decompress", DecompressCommand::model);
        // Not timed: picocli builds these from their annotations, and only when they are added.
        m.put("samples", factory -> SamplesCommand.class);
        m.put("bench", factory -> BenchCommand.class);
        m.put("member", factory -> MemberCommand.class);
        m.put("timeline", factory -> TimelineCommand.class);
        // picocli's own: prints a bash completion script of the root command's whole tree.
        m.put(COMPLETION, factory -> new AutoComplete.GenerateCompletion());
        return Collections.unmodifiableMap(m);
    }

    /**
     * The {@code jfutures} command line for {@code args}: the root command with the subcommand
     * {@code args[0]} names, or with every subcommand when it names none (for help and usage errors).
     *
     * @param factory creates the command objects (tests pass one with seams)
     * @param args the arguments it will execute
     * @return the command line
     * @throws CommandLine.InitializationException if a command object cannot be made, or an annotated
     *     command class is malformed
     */
    static CommandLine commandLine(CommandLine.IFactory factory, String... args) {
        CommandLine root = new CommandLine(model(new Main(), factory), factory);
        // generate-completion describes every command, so it needs them all.
        Function<CommandLine.IFactory, Object> only = args.length > 0 && !args[0].equals(COMPLETION)
                ? COMMANDS.get(args[0]) : null;
        if (only != null) {
            root.addSubcommand(args[0], only.apply(factory));
        } else {
            COMMANDS.forEach((name, command) -> root.addSubcommand(name, command.apply(factory)));
        }
        // Every command answers --version with the same lines, and reports a usage error the same
        // way, with the same exit code. Set after the subcommands are added: picocli passes the
        // handler on only to the subcommands a command has when it is set.
        Version version = new Version();
        for (CommandLine sub : root.getSubcommands().values()) {
            sub.getCommandSpec().versionProvider(version);
        }
        root.setParameterExceptionHandler(new UsageError());
        return root;
    }

    /** The subcommand that prints the bash completion script. */
    static final String COMPLETION = "generate-completion";

    /**
     * A usage error, GNU style: {@code jfutures CMD: MESSAGE} and {@code Try 'jfutures CMD --help'
     * for more information.} on stderr, and exit code {@link ExitCodes#USAGE}. Never the full help:
     * thirty lines of it bury the one that says what is wrong.
     */
    static final class UsageError implements CommandLine.IParameterExceptionHandler {
        /**
         * Prints the two lines.
         *
         * @param e the error, from parsing or from a command's own checks
         * @param args the command line
         * @return {@link ExitCodes#USAGE}
         */
        @Override
        public int handleParseException(CommandLine.ParameterException e, String[] args) {
            CommandLine cmd = e.getCommandLine();
            PrintWriter err = cmd.getErr();
            String name = cmd.getCommandSpec().qualifiedName();
            err.println(name + ": " + e.getMessage());
            err.println("Try '" + name + " --help' for more information.");
            err.flush();
            return ExitCodes.USAGE;
        }
    }

    /**
     * The root command's model, built in code (see {@link Models}), bound to {@code main}.
     *
     * @param main the command object: it runs when no subcommand is given
     * @param factory the command line's factory
     * @return the model, without its subcommands
     */
    static CommandSpec model(Main main, CommandLine.IFactory factory) {
        CommandSpec spec = Models.wrap(main, "jfutures", factory).versionProvider(new Version());
        main.spec = spec;
        spec.usageMessage()
                .description("Python's concurrent.futures for the JVM: the book's programs as tools.")
                .exitCodeListHeading(Models.EXIT_CODES_HEADING)
                .exitCodeList(UsageMessageSpec.keyValuesMap(
                        "0:success",
                        "1:some input failed (find: a directory could not be read; compress, decompress, samples:"
                            + " a file could not be done), or the output could not be written",
                        "2:usage error (every command), or find's ROOT is missing",
                        "66:compress, decompress: INPUT is missing",
                        "73:compress, decompress, samples: the output directory cannot be created",
                        "141:stdout was closed by its reader (e.g. | head): the command stopped at once"));
        spec.addOption(Models.help());
        spec.addOption(Models.version());
        return spec;
    }

    /**
     * Makes the objects of the commands, {@code dev.jfutures.cli}'s classes, with their no-arg
     * constructors. Not {@link CommandLine#defaultFactory()}: its class initializer looks for Groovy
     * ({@code Class.forName("groovy.lang.Closure")}, a failing search of the jar) at each start.
     * What else picocli asks for (the list behind bench's {@code --only}) goes to the default
     * factory, which is then made only for the annotated commands.
     */
    static final class Factory implements CommandLine.IFactory {
        /**
         * Makes an object of {@code type}.
         *
         * @param type the class
         * @return a new object
         * @throws Exception if the constructor cannot be called, or throws
         */
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type.isInterface() || !type.getPackageName().equals(Main.class.getPackageName())) {
                return CommandLine.defaultFactory().create(type);
            }
            return type.getDeclaredConstructor().newInstance();
        }
    }

    private static Charset fileNameCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }

    /**
     * Without a subcommand: a usage error.
     *
     * @throws CommandLine.ParameterException always (exit code 2)
     */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing command (find, compress, decompress, samples, bench or " + COMPLETION + ")");
    }

    /** {@code --version}: the version Maven filtered into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        /**
         * The version lines.
         *
         * @return {@code jfutures VERSION}, and the running Java's version and home
         */
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException ignored) {
                // fall through to "unknown"
            }
            return new String[] {"jfutures " + p.getProperty("version", "unknown"),
                "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
        }
    }
}
