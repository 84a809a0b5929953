package dev.jfutures.cli;

import java.io.BufferedWriter;
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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

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
 * <p>Exit codes: 0 success. {@code find}: 1 an unreadable directory, 2 a usage error or a missing
 * ROOT. {@code compress}, {@code decompress}, {@code samples}: 1-63 that many files failed, 64 a
 * usage error, 66 a missing INPUT, 73 an output directory that cannot be created.
 */
@Command(name = "jfutures",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Python's concurrent.futures for the JVM: the book's programs as tools.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:find: a directory could not be read",
            "1-63:compress, decompress, samples: that many files failed (63: 63 or more)",
            "2:usage error (find, or no command), or find's ROOT is missing",
            "64:compress, decompress, samples: usage error",
            "66:compress, decompress: INPUT is missing",
            "73:compress, decompress, samples: the output directory cannot be created"})
public final class Main implements Runnable {

    @Spec
    CommandSpec spec;

    /**
     * Runs the command and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // Paths are printed in the platform's file-name encoding, so that they round-trip; buffered,
        // because find can print millions of lines.
        Charset names = fileNameCharset();
        PrintWriter out = new PrintWriter(new BufferedWriter(
                new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), names), 1 << 16));
        CommandLine cmd = commandLine(CommandLine.defaultFactory(), args).setOut(out);
        int code = cmd.execute(args);
        out.flush();
        System.exit(code);
    }

    /**
     * The subcommands, by name. Not in the {@code @Command} annotation: picocli would build every
     * one's model by reflection at each start (tens of milliseconds apiece, before any work), and a
     * run needs one. {@link #commandLine} adds the one the arguments name, or all of them.
     */
    static final Map<String, Class<?>> COMMANDS = commands();

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("find", FindCommand.class);
        m.put("compress", CompressCommand.class);
        m.put("decompress", DecompressCommand.class);
        m.put("samples", SamplesCommand.class);
        m.put("bench", BenchCommand.class);
        return Collections.unmodifiableMap(m);
    }

    /**
     * The {@code jfutures} command line for {@code args}: the root command with the subcommand
     * {@code args[0]} names, or with every subcommand when it names none (for help and usage errors).
     *
     * @param factory creates the command objects (tests pass one with seams)
     * @param args the arguments it will execute
     * @return the command line
     * @throws CommandLine.InitializationException if a command class is malformed
     */
    static CommandLine commandLine(CommandLine.IFactory factory, String... args) {
        CommandLine root = new CommandLine(new Main(), factory);
        Class<?> only = args.length > 0 ? COMMANDS.get(args[0]) : null;
        if (only != null) {
            root.addSubcommand(args[0], only);
        } else {
            COMMANDS.forEach(root::addSubcommand);
        }
        return root;
    }

    private static Charset fileNameCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }

    /** Without a subcommand: a usage error. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try 'jfutures find ROOT PATTERN'");
    }

    /** {@code --version}: the version Maven filtered into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
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
