package dev.jfutures.cli;

import dev.jfutures.BrokenExecutorException;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFuture;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * {@code jfutures find}: the book's parallel find on the library. A queue of futures, one task per
 * directory, breadth-first: take the oldest future, wait for it, print its matches, submit a task
 * for each subdirectory it listed; done when the queue is empty.
 *
 * <p>A path matches when its absolute path contains PATTERN (or matches {@code --glob}, or
 * {@code --regex} finds in it). Paths are printed as GNU {@code find} prints them: ROOT as given,
 * joined with the path below it; ROOT itself is printed if it matches. Symbolic links are never
 * followed (a link is listed, and matched, as itself), except ROOT given with a trailing slash.
 */
public final class FindCommand implements Callable<Integer> {

    /** The model this object runs in, for usage errors and the output streams. */
    CommandSpec spec;

    /** ROOT as given. */
    String root;

    /** PATTERN, or null. */
    String pattern;

    /** {@code --glob}, or null. */
    String glob;

    /** {@code --regex}, or null. */
    String regex;

    /** {@code -0}. */
    boolean nul;

    /** {@code --json}. */
    boolean json;

    /**
     * {@code --executor} and {@code --workers}; on the thread executor, one thread more than there
     * are processors by default, not the ThreadPool's {@code min(32, processors + 4)}. Listing a
     * directory the kernel has cached is a few microseconds of system calls, not a wait, and each
     * thread beyond that only adds hand-offs: on 2 cores over {@code /usr} (15k directories), 3
     * threads took 305 ms, 2 took 332 ms, 4 took 329 ms and 6 took 379 ms (hyperfine, 15 runs).
     * A cold cache, where listing waits on the disk, is what {@code --workers} is for.
     */
    final ExecutorOptions executor = new ExecutorOptions("processors + 1", Runtime.getRuntime().availableProcessors() + 1);

    /**
     * {@code find}'s picocli model, built in code, not read from annotations (see {@link Models} for
     * the start-up time that saves), bound to the fields above of a new command object.
     *
     * @param factory makes the command object (tests pass one with seams) and is the model's factory
     * @return the model
     * @throws CommandLine.InitializationException if the factory cannot make the object
     */
    static CommandSpec model(CommandLine.IFactory factory) {
        FindCommand c = Models.create(factory, FindCommand.class);
        CommandSpec spec = Models.wrap(c, "find", factory);
        c.spec = spec;
        spec.usageMessage()
                .sortOptions(false)
                .description(
                        "Print every path under ROOT whose absolute path contains PATTERN: the book's parallel find,"
                            + " one task per directory, breadth-first, on the chosen executor.",
                        "Exactly one of PATTERN, --glob and --regex. Symbolic links to directories are not followed."
                            + " Paths are printed as ROOT was given, joined with the path below it (as GNU find prints"
                            + " them); with an absolute ROOT the output is the set of `find ROOT -path '*PATTERN*'`.",
                        "An unreadable directory is a warning on stderr, counted in a summary line at the end.")
                .exitCodeListHeading(Models.EXIT_CODES_HEADING)
                .exitCodeList(UsageMessageSpec.keyValuesMap(
                        "0:success",
                        "1:a directory could not be read (as GNU find), the executor failed, or stdout could not"
                            + " be written",
                        "2:usage error, or ROOT does not exist",
                        "141:stdout's reader went away (e.g. | head): the walk stopped at once"));
        spec.addPositional(PositionalParamSpec.builder().index("0").paramLabel("ROOT").type(String.class).required(true)
                .description("The directory (or file) to start from.")
                .setter(Models.into((String v) -> c.root = v)).build());
        spec.addPositional(PositionalParamSpec.builder().index("1").arity("0..1").paramLabel("PATTERN").type(String.class)
                .description("Match paths whose absolute path contains this string (plain text, no wildcards).")
                .setter(Models.into((String v) -> c.pattern = v)).build());
        spec.addOption(OptionSpec.builder("--glob").paramLabel("GLOB").type(String.class)
                .description("Instead of PATTERN: match the absolute path against this java.nio glob"
                        + " ('*' stays within a name, '**' crosses '/'; e.g. '**/*.java').")
                .setter(Models.into((String v) -> c.glob = v)).build());
        spec.addOption(OptionSpec.builder("--regex").paramLabel("REGEX").type(String.class)
                .description("Instead of PATTERN: match when this java.util.regex pattern is found in the absolute path.")
                .setter(Models.into((String v) -> c.regex = v)).build());
        spec.addOption(OptionSpec.builder("-0", "--null").type(boolean.class).initialValue(false)
                .description("Print each path followed by a NUL byte instead of a newline.")
                .setter(Models.into((Boolean v) -> c.nul = v)).build());
        spec.addOption(OptionSpec.builder("--json").type(boolean.class).initialValue(false)
                .description("Print a JSON array of strings.")
                .setter(Models.into((Boolean v) -> c.json = v)).build());
        spec.addOption(Models.help());
        spec.addOption(Models.version());
        c.executor.addOptions(spec);
        return spec;
    }

    /** Test seam: runs in the task, before it lists its directory (thread and virtual executors only). */
    private final Consumer<String> beforeListing;

    /** The command as {@code jfutures find} runs it. */
    public FindCommand() {
        this(null);
    }

    FindCommand(Consumer<String> beforeListing) {
        this.beforeListing = beforeListing;
    }

    /** One directory in flight: its future, its absolute path, and its path as printed. */
    private record Pending(TaskFuture<Listing> future, String absolute, String printed) {
    }

    /**
     * Runs the command.
     *
     * @return the exit code: 0; 1 if a directory could not be read, the executor broke or stdout
     *     could not be written; 2 if ROOT does not exist or the executor cannot run on this JVM; 141
     *     (at once, the walk stopped) if stdout's reader went away
     * @throws CommandLine.ParameterException on a usage error (exit code 2)
     */
    @Override
    public Integer call() {
        int code = run();
        // After the executor closed: the trace recorder heard all.
        return executor.finishTrace("find", spec.commandLine().getErr(), code);
    }

    private int run() {
        CommandLine cmd = spec.commandLine();
        PrintWriter err = cmd.getErr();
        int given = (pattern != null ? 1 : 0) + (glob != null ? 1 : 0) + (regex != null ? 1 : 0);
        if (given != 1) {
            throw new CommandLine.ParameterException(cmd, given == 0
                    ? "give a PATTERN, --glob GLOB or --regex REGEX"
                    : "give only one of PATTERN, --glob and --regex");
        }
        if (nul && json) {
            throw new CommandLine.ParameterException(cmd, "-0 and --json cannot be used together");
        }
        executor.validate(cmd);
        String kind = pattern != null ? ListDirectory.SUBSTRING : glob != null ? ListDirectory.GLOB : ListDirectory.REGEX;
        String text = pattern != null ? pattern : glob != null ? glob : regex;
        Predicate<String> matches;
        try {
            matches = ListDirectory.matcher(kind, text);
        } catch (PatternSyntaxException e) {
            throw new CommandLine.ParameterException(cmd, "invalid --" + kind + " '" + text + "': " + e.getDescription()
                    + " near index " + e.getIndex());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "invalid --" + kind + " '" + text + "': " + e.getMessage());
        }
        String unavailable = executor.unavailable();
        if (unavailable != null) {
            err.println("jfutures find: " + unavailable);
            err.flush();
            return 2;
        }

        Path start;
        try {
            start = root.isEmpty() ? null : Path.of(root);
        } catch (InvalidPathException e) {
            start = null;
        }
        if (start == null || !Files.exists(start, LinkOption.NOFOLLOW_LINKS)) {
            err.println("jfutures find: '" + root + "': No such file or directory");
            err.flush();
            return 2;
        }
        // GNU find (-P) does not follow ROOT if it is a symbolic link, unless given as "link/".
        boolean directory = root.endsWith("/") ? Files.isDirectory(start)
                : Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS);
        String absolute = start.toAbsolutePath().normalize().toString();

        Output out = Output.of(cmd.getOut(), nul, json);
        int unreadable = 0;
        if (matches.test(absolute)) {
            out.path(root);
        }
        if (directory) {
            try (TaskExecutor pool = executor.create("find", null)) {
                Deque<Pending> queue = new ArrayDeque<>();
                queue.add(new Pending(submit(pool, new ListDirectory(absolute, kind, text)), absolute, root));
                while (!queue.isEmpty()) {
                    // Stdout's reader is gone, or the disk is full: nothing more can be printed, so
                    // stop at once. Checked once per directory, without a flush (Stdout.error).
                    if (Stdout.error(cmd.getOut()) != null) {
                        pool.shutdown(false, true);   // cancel what has not started; close() waits for the rest
                        break;
                    }
                    Pending p = queue.poll();   // the oldest: breadth-first
                    Listing listing;
                    try {
                        listing = p.future().result();
                    } catch (TaskFailedException e) {   // e.g. a worker JVM died: still not a crash
                        Throwable cause = e.getCause() != null ? e.getCause() : e;
                        listing = Listing.failed(String.valueOf(cause.getMessage()));
                    }
                    for (String name : listing.matches()) {
                        out.path(join(p.printed(), name));
                    }
                    if (listing.error() != null) {
                        unreadable++;
                        err.println("jfutures find: cannot read " + p.printed() + ": " + listing.error());
                        err.flush();
                    }
                    List<String> subdirectories = listing.subdirectories();
                    for (int i = 0; i < subdirectories.size(); i++) {
                        String name = subdirectories.get(i);
                        String child = join(p.absolute(), name);
                        queue.add(new Pending(submit(pool,
                                new ListDirectory(child, kind, text, listing.subdirectoryCounts()[i])),
                                child, join(p.printed(), name)));
                    }
                }
            } catch (BrokenExecutorException e) {
                out.end();
                err.println("jfutures find: the " + executor.kind + " executor is broken: " + e.getMessage());
                err.flush();
                return 1;
            }
        }
        out.end();
        if (Stdout.error(cmd.getOut()) != null) {
            return Stdout.exitCode(cmd.getOut(), err, 1);   // the write error is the outcome, not the summary
        }
        if (unreadable > 0) {
            err.println(unreadable + (unreadable == 1 ? " unreadable directory" : " unreadable directories"));
            err.flush();
        }
        return unreadable > 0 ? 1 : 0;
    }

    private TaskFuture<Listing> submit(TaskExecutor pool, ListDirectory task) {
        if (beforeListing != null && !executor.remote()) {
            Consumer<String> hook = beforeListing;
            return pool.submit((Callable<Listing>) () -> {
                hook.accept(task.directory());
                return task.call();
            });
        }
        return pool.submit(task);
    }

    /** {@code dir/name}, without doubling a trailing slash (as GNU find prints "ROOT/" + name). */
    static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /** Prints paths one per line, NUL-terminated, or as a JSON array. */
    private static final class Output {
        private final PrintWriter out;
        private final char end;
        private final boolean json;
        private int count;

        private Output(PrintWriter out, char end, boolean json) {
            this.out = out;
            this.end = end;
            this.json = json;
        }

        static Output of(PrintWriter out, boolean nul, boolean json) {
            return new Output(out, nul ? '\0' : '\n', json);
        }

        void path(String path) {
            if (json) {
                out.print(count == 0 ? "[\n  " : ",\n  ");
                out.print(FileNames.json(path));
            } else {
                out.print(path);
                out.print(end);
            }
            count++;
        }

        void end() {
            if (json) {
                out.print(count == 0 ? "[]\n" : "\n]\n");
            }
            out.flush();
        }
    }
}
