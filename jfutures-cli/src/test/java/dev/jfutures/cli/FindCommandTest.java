package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code jfutures find}: every option, and the same set of paths as GNU find on a generated tree. */
class FindCommandTest {

    private static final Path GNU_FIND = Path.of("/usr/bin/find");

    @TempDir
    Path tmp;

    /** The tree's root, absolute and without symbolic links, as a string. */
    private String root;
    private Path locked;

    /**
     * root/
     *   alpha/beta/gamma/deep.txt, alpha/notes.md, alpha/quote"back\slash
     *   sub/one/two/, sub/x.log, sub/one/y.java
     *   link-to-alpha -> alpha        (a symbolic link to a directory: not followed)
     *   sub/loop -> ..                (a loop)
     *   self -> self                  (a link to itself)
     *   locked/secret.txt, locked/inner/   (mode 000)
     *   file-at-root.txt
     */
    @BeforeEach
    void tree() throws IOException {
        Path r = tmp.toRealPath().resolve("tree");
        Files.createDirectories(r.resolve("alpha/beta/gamma"));
        Files.writeString(r.resolve("alpha/beta/gamma/deep.txt"), "x");
        Files.writeString(r.resolve("alpha/notes.md"), "x");
        Files.writeString(r.resolve("alpha/quote\"back\\slash"), "x");
        Files.createDirectories(r.resolve("sub/one/two"));
        Files.writeString(r.resolve("sub/x.log"), "x");
        Files.writeString(r.resolve("sub/one/y.java"), "x");
        Files.createSymbolicLink(r.resolve("link-to-alpha"), Path.of("alpha"));
        Files.createSymbolicLink(r.resolve("sub/loop"), Path.of(".."));
        Files.createSymbolicLink(r.resolve("self"), Path.of("self"));
        Files.writeString(r.resolve("file-at-root.txt"), "x");
        locked = r.resolve("locked");
        Files.createDirectories(locked.resolve("inner"));
        Files.writeString(locked.resolve("secret.txt"), "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        root = r.toString();
    }

    @AfterEach
    void unlock() throws IOException {
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
    }

    // ------------------------------------------------------------------ GNU find equality

    @ParameterizedTest(name = "PATTERN \"{0}\"")
    @ValueSource(strings = {"tree", "alpha", "a", "sub", "link", "loop", "self", "deep", ".txt", "locked", "secret",
        "no-such-thing"})
    void sameSetAsGnuFind(String pattern) {
        assertSameAsGnu(root, pattern, "--executor", "thread");
    }

    @Test
    void sameSetAsGnuFindOnOneWorkerAndOnTheProcessExecutor() {
        assertSameAsGnu(root, "a", "--workers", "1");
        assertSameAsGnu(root, "e", "--executor", "process", "--workers", "2");
    }

    @Test
    void aRelativeRootIsPrintedAsGivenAndMatchesLikeGnuFindBelowIt() {
        String relative = Path.of("").toAbsolutePath().relativize(Path.of(root)).toString();
        assertThat(relative).doesNotStartWith("/");
        Cli.Result ours = assertSameAsGnu(relative, "sub");
        assertThat(ours.paths()).contains(relative + "/sub/x.log");
    }

    /**
     * However ROOT is spelled (trailing slashes, "." segments, relative or absolute), the printed
     * paths are GNU find's, byte for byte: ROOT as given, then the path below it. (No spelling
     * contains PATTERN: GNU matches the spelling, we the absolute path; see docs/cli.md.)
     */
    @ParameterizedTest(name = "ROOT {0}")
    @ValueSource(strings = {"REL", "REL/", "REL//", "./REL/.", "./REL", "ABS/", "ABS/./alpha/..", "ABS//alpha/../sub"})
    void everySpellingOfRootIsPrintedAsGnuFindPrintsIt(String spelling) {
        String relative = Path.of("").toAbsolutePath().relativize(Path.of(root)).toString();
        String start = spelling.replace("REL", relative).replace("ABS", root);
        Cli.Result ours = assertSameAsGnu(start, "sub");
        assertThat(ours.paths()).isNotEmpty().allMatch(p -> p.startsWith(start));
    }

    @Test
    void aRootWithATrailingSlashIsNotDoubled() {
        Cli.Result ours = assertSameAsGnu(root + "/", "beta");
        assertThat(ours.paths()).contains(root + "/alpha/beta");
    }

    private Cli.Result assertSameAsGnu(String start, String pattern, String... options) {
        assumeTrue(Files.isExecutable(GNU_FIND), "GNU find is not at " + GNU_FIND);
        List<String> args = new ArrayList<>(List.of("find", "-0", start, pattern));
        args.addAll(Arrays.asList(options));
        Cli.Result ours = run(args.toArray(String[]::new));
        Cli.Result gnu = gnuFind(start, pattern);
        assertThat(Set.copyOf(ours.paths())).as("jfutures find %s %s", start, pattern)
                .isEqualTo(Set.copyOf(gnu.paths()));
        assertThat(ours.paths()).as("no path twice").doesNotHaveDuplicates();
        assertThat(ours.code()).as("exit code, as GNU find's").isEqualTo(gnu.code());
        return ours;
    }

    private static Cli.Result gnuFind(String start, String pattern) {
        try {
            Process p = new ProcessBuilder(GNU_FIND.toString(), start, "-path", "*" + pattern + "*", "-print0")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            }
            return new Cli.Result(p.waitFor(), out.toString(StandardCharsets.UTF_8), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ what is (not) followed

    @Test
    void symbolicLinksAreListedButNotFollowed() {
        Cli.Result r = run("find", root, "tree");
        assertThat(r.code()).isIn(0, 1);
        assertThat(r.paths()).contains(root, root + "/link-to-alpha", root + "/sub/loop", root + "/self",
                root + "/alpha/beta/gamma/deep.txt");
        assertThat(r.paths()).noneMatch(p -> p.startsWith(root + "/link-to-alpha/") || p.startsWith(root + "/sub/loop/"));
    }

    @Test
    void aFileAsRootIsPrintedIfItMatches() {
        Cli.Result r = run("find", root + "/sub/x.log", "x.log");
        assertThat(r.code()).isZero();
        assertThat(r.paths()).containsExactly(root + "/sub/x.log");
        assertThat(run("find", root + "/sub/x.log", "nope").paths()).isEmpty();
    }

    // ------------------------------------------------------------------ unreadable directories

    @Test
    void anUnreadableDirectoryIsAWarningASummaryAndExitCode1() {
        assumeFalse(Files.isReadable(locked), "running as root: chmod 000 does not stop root from reading, so this"
                + " sub-assertion cannot be made here; aVanishingDirectoryIsAWarning covers the same path");
        Cli.Result r = run("find", root, "tree");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.paths()).contains(root + "/locked", root + "/alpha/notes.md")
                .doesNotContain(root + "/locked/secret.txt");
        assertThat(r.err()).contains("jfutures find: cannot read " + root + "/locked: Permission denied",
                "1 unreadable directory");
    }

    @Test
    void aVanishingDirectoryIsAWarningNotACrash() {
        // Unreadable whoever we are: the directory is deleted after its parent listed it and before
        // its own task lists it.
        Path gone = Path.of(root, "sub/one/two");
        Consumer<String> vanish = dir -> {
            if (dir.equals(gone.toString())) {
                try {
                    Files.delete(gone);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        Cli.Result r = run(vanish, "find", root, "sub", "--workers", "2");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.paths()).contains(root + "/sub/one/two", root + "/sub/one/y.java", root + "/sub/x.log");
        assertThat(r.err()).contains("jfutures find: cannot read " + root + "/sub/one/two: No such file or directory")
                .endsWith("1 unreadable directory\n");
    }

    // ------------------------------------------------------------------ output formats

    @Test
    void newlineSeparatedByDefault() {
        Cli.Result r = run("find", root, "gamma");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(root + "/alpha/beta/gamma\n" + root + "/alpha/beta/gamma/deep.txt\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void nulSeparatedWithDash0OrNull() {
        String expected = root + "/alpha/beta/gamma\0" + root + "/alpha/beta/gamma/deep.txt\0";
        assertThat(run("find", "-0", root, "gamma").out()).isEqualTo(expected);
        assertThat(run("find", "--null", root, "gamma").out()).isEqualTo(expected);
    }

    @Test
    void jsonIsAnArrayOfProperlyEscapedStrings() {
        Cli.Result r = run("find", "--json", root, "quote");
        assertThat(r.code()).isZero();
        String escaped = (root + "/alpha/quote\"back\\slash").replace("\\", "\\\\").replace("\"", "\\\"");
        assertThat(r.out()).isEqualTo("[\n  \"" + escaped + "\"\n]\n");
        assertThat(run("find", "--json", root, "no-such-thing").out()).isEqualTo("[]\n");
        Cli.Result two = run("find", "--json", root, "gamma");
        assertThat(two.out()).isEqualTo("[\n  \"" + root + "/alpha/beta/gamma\",\n  \"" + root
                + "/alpha/beta/gamma/deep.txt\"\n]\n");
    }

    @Test
    void jsonEscapesControlCharacters() {
        assertThat(Json.quote("a\nb\tc\u0001\u001f\r\b\f\u2028é\"\\"))
                .isEqualTo("\"a\\nb\\tc\\u0001\\u001f\\r\\b\\f\\u2028é\\\"\\\\\"");
    }

    // ------------------------------------------------------------------ --glob, --regex

    @Test
    void globMatchesTheAbsolutePath() {
        Cli.Result r = run("find", root, "--glob", "**/*.{log,java}");
        assertThat(r.paths()).containsExactlyInAnyOrder(root + "/sub/x.log", root + "/sub/one/y.java");
        assertThat(run("find", root, "--glob", "*.txt").paths()).as("'*' does not cross '/'").isEmpty();
    }

    @Test
    void regexIsFoundInTheAbsolutePath() {
        Cli.Result r = run("find", root, "--regex", "/sub/(one/)?[a-z]\\.(log|java)$");
        assertThat(r.paths()).containsExactlyInAnyOrder(root + "/sub/x.log", root + "/sub/one/y.java");
    }

    // ------------------------------------------------------------------ executors

    @Test
    void theProcessExecutorFindsTheSame() {
        Cli.Result threads = run("find", root, "e", "--executor", "thread");
        Cli.Result processes = run("find", root, "e", "--executor", "process", "--workers", "2");
        assertThat(processes.code()).isEqualTo(threads.code());
        assertThat(processes.paths()).containsExactlyInAnyOrderElementsOf(threads.paths()).isNotEmpty();
    }

    @Test
    void theClusterExecutorFindsTheSame() {
        Cli.Result threads = run("find", root, "e", "--executor", "thread");
        Cli.Result cluster = run("find", root, "e", "--executor", "cluster", "--workers", "2");
        assertThat(cluster.code()).as(cluster.err()).isEqualTo(threads.code());
        assertThat(cluster.paths()).containsExactlyInAnyOrderElementsOf(threads.paths()).isNotEmpty();
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualBeforeJava21IsAClearUsageError() {
        Cli.Result r = run("find", root, "e", "--executor", "virtual");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("--executor virtual needs Java 21 or later", Runtime.version().toString());
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualFindsTheSameOnJava21() {
        Cli.Result threads = run("find", root, "e");
        Cli.Result virtual = run("find", root, "e", "--executor", "virtual");
        assertThat(virtual.paths()).containsExactlyInAnyOrderElementsOf(threads.paths());
    }

    // ------------------------------------------------------------------ errors and usage

    @Test
    void aMissingRootIsExitCode2NamingIt() {
        String missing = root + "/does-not-exist";
        Cli.Result r = run("find", missing, "x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("jfutures find: '" + missing + "': No such file or directory\n");
        assertThat(run("find", "", "x").code()).isEqualTo(2);
    }

    @Test
    void usageErrorsAreExitCode2() {
        assertUsageError("give a PATTERN, --glob GLOB or --regex REGEX", "find", root);
        assertUsageError("give only one of PATTERN, --glob and --regex", "find", root, "a", "--glob", "*");
        assertUsageError("give only one of PATTERN, --glob and --regex", "find", root, "--glob", "*", "--regex", "a");
        assertUsageError("-0 and --json cannot be used together", "find", root, "a", "-0", "--json");
        assertUsageError("--workers must be a positive number, was 0", "find", root, "a", "--workers", "0");
        assertUsageError("--workers must be a positive number, was -3", "find", root, "a", "--workers=-3");
        assertUsageError("invalid --regex '(': Unclosed group", "find", root, "--regex", "(");
        assertUsageError("invalid --glob '[': ", "find", root, "--glob", "[");
        assertUsageError("Invalid value for option '--executor'", "find", root, "a", "--executor", "grid");
        assertUsageError("--join needs --executor cluster", "find", root, "a", "--join", "127.0.0.1:5701");
        assertUsageError("Invalid value for option '--workers'", "find", root, "a", "--workers", "many");
        assertUsageError("Missing required parameter", "find");
        assertUsageError("missing command", new String[0]);
    }

    private void assertUsageError(String message, String... args) {
        Cli.Result r = run(args);
        assertThat(r.code()).as("exit code of %s", List.of(args)).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(message).doesNotContain("Usage:").hasLineCount(2)
                .endsWith(" --help' for more information.\n");
    }

    @Test
    void helpListsEveryOptionAndVersionNamesTheVersion() {
        Cli.Result help = run("find", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("ROOT", "PATTERN", "--glob", "--regex", "-0, --null", "--json",
                "--executor", "--workers", "--join", "--cluster-name", "--bind", "Exit codes");
        assertThat(help.out().replaceAll("\\s+", " ")).contains("thread, virtual, process, cluster");
        Cli.Result version = run("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("jfutures 0.").doesNotContain("${");
    }

    // ------------------------------------------------------------------ harness

    private static Cli.Result run(String... args) {
        return run(null, args);
    }

    private static Cli.Result run(Consumer<String> beforeListing, String... args) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == FindCommand.class && beforeListing != null) {
                    return cls.cast(new FindCommand(beforeListing));
                }
                return CommandLine.defaultFactory().create(cls);
            }
        };
        return Cli.runWith(factory, args);
    }

    @Test
    void harnessSelfCheck() {
        assertThat(new Cli.Result(0, "a\0b\0", "").paths()).containsExactly("a", "b");
        assertThat(new HashSet<>(new Cli.Result(0, "a\nb\n", "").paths())).containsExactlyInAnyOrder("a", "b");
    }
}
