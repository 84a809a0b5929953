package dev.jfutures.cli;

import dev.jfutures.Task;
import dev.jfutures.TaskExecutor;
import dev.jfutures.process.ProcessPool;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * What compress and decompress share: INPUT is a file or a directory; the options {@code
 * --executor}, {@code --workers}, {@code --force} and {@code --progress}; the checks and exit codes
 * ({@link ExitCodes}); and directory mode, one task per file on the executor ({@link Batch}), with
 * a progress bar and a summary line.
 */
abstract class FileCommand implements Callable<Integer> {

    /** The model this object runs in, for usage errors and the output streams. */
    CommandSpec spec;

    /** INPUT as given. */
    String input;

    /** {@code -o} as given, or null. */
    String output;

    /** {@code --executor} and {@code --workers}. */
    final ExecutorOptions executor = new ExecutorOptions();

    /** {@code --force}. */
    boolean force;

    /** {@code --progress} or {@code --no-progress}; null: neither. */
    Boolean progress;

    /**
     * Starts this command's model (built in code: see {@link Models}) with what compress and
     * decompress share: the exit codes for usage errors (2) and bugs (70), the list of exit codes in
     * the help, and the options listed in the order they are added. The caller then adds the
     * arguments with {@link #addInputAndOutput}, its own options, and {@link #addSharedOptions}.
     *
     * @param name the command's name
     * @param factory the command line's factory
     * @param description the command's description, a paragraph a line
     * @return the model
     */
    CommandSpec newModel(String name, CommandLine.IFactory factory, String... description) {
        spec = Models.wrap(this, name, factory)
                .exitCodeOnInvalidInput(ExitCodes.USAGE)
                .exitCodeOnExecutionException(ExitCodes.SOFTWARE);
        spec.usageMessage()
                .sortOptions(false)
                .description(description)
                .exitCodeListHeading(Models.EXIT_CODES_HEADING)
                .exitCodeList(UsageMessageSpec.keyValuesMap(ExitCodes.LIST));
        return spec;
    }

    /**
     * Adds INPUT, {@code -h}, {@code -V} and {@code -o OUTPUT} to this command's model, in the order
     * of the help, bound to the fields above.
     *
     * @param inputHelp INPUT's description
     * @param outputHelp {@code -o}'s description
     */
    void addInputAndOutput(String inputHelp, String outputHelp) {
        spec.addPositional(PositionalParamSpec.builder().index("0").paramLabel("INPUT").type(String.class).required(true)
                .description(inputHelp)
                .setter(Models.into((String v) -> input = v)).build());
        spec.addOption(Models.help());
        spec.addOption(Models.version());
        spec.addOption(OptionSpec.builder("-o", "--output").paramLabel("OUTPUT").type(String.class)
                .description(outputHelp)
                .setter(Models.into((String v) -> output = v)).build());
    }

    /**
     * Adds {@code --executor}, {@code --workers}, {@code --force} and {@code --[no-]progress} to this
     * command's model, bound to the fields above: the help lists them last.
     */
    void addSharedOptions() {
        executor.addOptions(spec);
        spec.addOption(OptionSpec.builder("-f", "--force").type(boolean.class).initialValue(false)
                .description("Replace outputs that exist. Without it an existing output is refused, as a failure of"
                        + " that file, and the other files go on.")
                .setter(Models.into((Boolean v) -> force = v)).build());
        spec.addOption(OptionSpec.builder("--progress").negatable(true).type(Boolean.class)
                .description("Draw (or not) a progress bar on stderr in directory mode. Default: when stderr is a"
                        + " terminal.")
                .setter(Models.into((Boolean v) -> progress = v)).build());
    }

    /** Test seam: applied to the process pool's builder (null: none). */
    final Consumer<ProcessPool.Builder> processOptions;

    FileCommand(Consumer<ProcessPool.Builder> processOptions) {
        this.processOptions = processOptions;
    }

    /** @return the command's name, for messages */
    abstract String name();

    /**
     * Checks the command's own options, before anything is read.
     *
     * @param cmd the command, for usage messages
     * @throws CommandLine.ParameterException on a usage error
     */
    abstract void validate(CommandLine cmd);

    /** @return what directory mode counts, plural: "images", "files" */
    abstract String noun();

    /** @return the verb for the summary line: "compressed" */
    abstract String done();

    /** @return whether directory mode takes a file of this name */
    abstract boolean accepts(String fileName);

    /** @return the files directory mode takes, in words, for a directory with none */
    abstract String accepted();

    /** @return the output's file name for an input of this name */
    abstract String outputName(String inputName);

    /**
     * The task that does one file from start to end, in directory mode.
     *
     * @param input the input as the user named it
     * @param output the output as the user will see it named
     * @return the task: null when done, else {@code INPUT: problem}
     */
    abstract Task<String> task(String input, String output);

    /**
     * Does one file: single-file mode.
     *
     * @param input INPUT as given
     * @param output the output as the user will see it named
     * @param err stderr
     * @return the exit code
     */
    abstract int file(String input, String output, PrintWriter err);

    /**
     * Runs the command.
     *
     * @return the exit code ({@link ExitCodes})
     * @throws CommandLine.ParameterException on a usage error (exit code 2)
     */
    @Override
    public final Integer call() {
        int code = run();
        // After the executors closed: the trace recorder heard all.
        return executor.finishTrace(name(), spec.commandLine().getErr(), code);
    }

    private int run() {
        CommandLine cmd = spec.commandLine();
        PrintWriter err = cmd.getErr();
        if (executor.remote()) {
            // The process pool is what logs (a worker JVM that would not start). Setting up
            // java.util.logging reads its configuration: ~10 ms of every run, not paid for threads,
            // whose pools log only when a thread cannot be started.
            LibraryLog.oneLinePerRecord();
        }
        executor.validate(cmd);
        validate(cmd);
        if (output != null && path(output) == null) {
            throw new CommandLine.ParameterException(cmd, "-o '" + output + "' is not a valid path");
        }
        String unavailable = executor.unavailable();
        if (unavailable != null) {
            return fail(err, unavailable, ExitCodes.USAGE);
        }
        Path in = path(input);
        if (in == null || !Files.exists(in)) {
            return fail(err, "'" + input + "': No such file or directory", ExitCodes.NO_INPUT);
        }
        if (Files.isDirectory(in)) {
            if (output == null) {
                throw new CommandLine.ParameterException(cmd, "INPUT " + input + " is a directory: give -o OUTDIR,"
                        + " the directory for the outputs");
            }
            return directory(in, err);
        }
        String out = output == null ? in.resolveSibling(outputName(in.getFileName().toString())).toString()
                : Files.isDirectory(Path.of(output)) ? FindCommand.join(output, outputName(in.getFileName().toString()))
                : output;
        if (sameFile(in, Path.of(out))) {
            throw new CommandLine.ParameterException(cmd, "the output " + out + " would replace INPUT " + input
                    + ": give -o OUTPUT");
        }
        return file(input, out, err);
    }

    private int directory(Path in, PrintWriter err) {
        String outDir = output;
        if (Files.exists(Path.of(outDir)) && !Files.isDirectory(Path.of(outDir))) {
            return fail(err, "the output directory " + outDir + " is a file: give a directory with -o",
                    ExitCodes.CANNOT_CREATE);
        }
        try {
            Files.createDirectories(Path.of(outDir));
        } catch (IOException e) {
            return fail(err, "cannot create the output directory " + outDir + ": " + ListDirectory.reason(e),
                    ExitCodes.CANNOT_CREATE);
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(in)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (accepts(name) && Files.isRegularFile(entry)) {
                    names.add(name);
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            IOException io = e instanceof IOException ? (IOException) e : ((DirectoryIteratorException) e).getCause();
            return fail(err, "cannot read the directory " + input + ": " + ListDirectory.reason(io), ExitCodes.FAILED);
        }
        names.sort(null);

        // Two inputs that differ only in their extension (a.png, a.bmp) would write the same
        // output: neither is preferred, both fail, and the message says which other file is the
        // reason.
        Map<String, List<String>> byOutput = new LinkedHashMap<>();
        for (String name : names) {
            byOutput.computeIfAbsent(outputName(name), k -> new ArrayList<>()).add(name);
        }
        boolean showBar = progress != null ? progress : ProgressBar.stderrIsTerminal();
        ProgressBar bar = new ProgressBar(err, noun(), names.size(), showBar, System::nanoTime);
        int failed = 0;
        List<Batch.Job> jobs = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byOutput.entrySet()) {
            String shownOut = FindCommand.join(outDir, e.getKey());
            for (String name : e.getValue()) {
                String shownIn = FindCommand.join(input, name);
                if (e.getValue().size() > 1) {
                    List<String> others = new ArrayList<>(e.getValue());
                    others.remove(name);
                    failed++;
                    bar.skipped();
                    bar.println("jfutures " + name() + ": " + shownIn + ": " + String.join(" and ", others)
                            + " in the same directory would also write " + shownOut + "; rename one of them");
                } else {
                    jobs.add(new Batch.Job(shownIn, Path.of(shownOut), task(shownIn, shownOut)));
                }
            }
        }
        if (!jobs.isEmpty()) {
            try (TaskExecutor pool = executor.create(name(), processOptions)) {
                pool.addListener(bar);   // before the first submit: it counts the tasks it hears
                failed += Batch.run(name(), executor.kind.name(), pool, jobs, bar);
            }
        }
        bar.finish();
        int total = names.size();
        err.println(done() + " " + (total - failed) + " of " + total + " " + (total == 1 ? singular() : noun())
                + (failed > 0 ? "; " + failed + " failed" : "")
                + (total == 0 ? " (" + input + " has no " + accepted() + ")" : ""));
        err.flush();
        return ExitCodes.failed(failed);
    }

    private String singular() {
        return noun().substring(0, noun().length() - 1);
    }

    /**
     * Prints {@code jfutures NAME: message} on stderr.
     *
     * @return {@code code}
     */
    int fail(PrintWriter err, String message, int code) {
        err.println("jfutures " + name() + ": " + message);
        err.flush();
        return code;
    }

    /**
     * @param s a path as given
     * @return whether it names a directory (false for an invalid path)
     */
    static boolean isDirectory(String s) {
        Path p = path(s);
        return p != null && Files.isDirectory(p);
    }

    private static Path path(String s) {
        try {
            return s.isEmpty() ? null : Path.of(s);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b, LinkOption.NOFOLLOW_LINKS) ? Files.isSameFile(a, b)
                    : a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        } catch (IOException e) {
            return false;
        }
    }
}
