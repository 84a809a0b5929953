package dev.jfutures.bench.runner;

import dev.jfutures.bench.runner.BenchProcess.Subject;
import dev.jfutures.bench.runner.BenchProcess.Timing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The compress section of {@code jfutures bench}:
 * <ol>
 *   <li>the book's Python program ({@code book_compress.py}: a ProcessPoolExecutor task per row)
 *       against {@code jfutures compress} on one large 1-bit BMP, whole process against whole
 *       process; target: ours at least 20 times faster. Both must write the same .rle bytes.
 *   <li>{@code jfutures compress DIR -o OUT --executor process} against the same with
 *       {@code --workers 1}, on a directory of sample images; target: at least 1.6 times faster.
 * </ol>
 */
final class BenchCompress {

    static final String SECTION = "compress";
    static final double TARGET_VS_PYTHON = 20;
    static final double TARGET_PROCESS_SPEEDUP = 1.6;
    static final String SCRIPT_RESOURCE = "/dev/jfutures/bench/book_compress.py";
    /** The Debian packages that give /usr/bin/python3 what the book's program imports. */
    static final String DEBIAN_PACKAGES = "python3-pil python3-bitarray";
    private static final long TIMEOUT_SECONDS = 900;

    /**
     * Image sizes and counts; {@code quick} is a smoke run. The directory's images are photo-sized
     * (3 megapixels, grey and colour among them, as PNG), because the target measures how the work
     * spreads over worker JVMs: each worker's own start and JIT warm-up (about 0.6 s of CPU here)
     * is a fixed cost, and 100 thumbnails (800x600 BMPs measured 0.98x) are too little work to pay
     * for a second one, which says nothing about the spreading.
     */
    record Sizes(int width, int height, int dirCount, int dirWidth, int dirHeight) {
        static Sizes of(boolean quick) {
            return quick ? new Sizes(720, 560, 10, 200, 150) : new Sizes(7200, 5600, 100, 2000, 1500);
        }
    }

    /** A Python that imports Pillow and bitarray, or why there is none. */
    record Python(String command, String versions, String problem) {
        boolean found() {
            return problem == null;
        }
    }

    private BenchCompress() {
    }

    static void run(BenchRun.Env env, Python python, Sizes sizes, int runs)
            throws BenchProcess.Failure, InterruptedException, IOException {
        BenchReport report = env.report();
        Map<String, Object> section = report.section(SECTION);
        BenchReport.Row vsPython = new BenchReport.Row(SECTION, "compress_vs_python", "one " + sizes.width()
                + "x" + sizes.height() + " 1-bit BMP: the book's Python / jfutures compress", ">=",
                TARGET_VS_PYTHON);
        BenchReport.Row speedup = new BenchReport.Row(SECTION, "compress_dir_process", "compress " + sizes.dirCount()
                + " images --executor process: --workers 1 / default workers", ">=", TARGET_PROCESS_SPEEDUP);
        report.rows.add(vsPython);
        report.rows.add(speedup);
        section.put("python", python.found() ? python.command() + " (" + python.versions() + ")" : null);
        section.put("python_skipped", python.problem());
        if (!python.found()) {
            vsPython.skipped(python.problem());
            env.log().println("compress: the compress-vs-Python row is skipped: " + python.problem());
            env.log().flush();
        }
        Path err = env.work().resolve("compress.stderr");

        if (python.found()) {
            Path image = oneImage(env, sizes, err);
            Path script = env.work().resolve("book_compress.py");
            try (InputStream in = BenchCompress.class.getResourceAsStream(SCRIPT_RESOURCE)) {
                if (in == null) {
                    throw new BenchProcess.Failure(SCRIPT_RESOURCE + " is not in this jar (jfutures-bench's Python scripts"
                            + " are packed with it; rebuild jfutures.jar)");
                }
                Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            }
            Path bookOut = env.work().resolve("book.rle");
            Path ourOut = env.work().resolve("jfutures.rle");
            Subject book = new Subject("the book's Python", List.of(python.command(), script.toString(),
                    image.toString(), bookOut.toString()), () -> Files.deleteIfExists(bookOut));
            Subject ours = new Subject("jfutures compress", env.jfutures("compress", image.toString(), "-o",
                    ourOut.toString(), "--no-progress"), () -> Files.deleteIfExists(ourOut));
            env.log().printf("compress: %s, one untimed run of each, then %d interleaved runs of each ...%n",
                    image.getFileName(), runs);
            env.log().flush();
            BenchProcess.run(book, false, err, TIMEOUT_SECONDS);
            BenchProcess.run(ours, false, err, TIMEOUT_SECONDS);
            report.checks.add(sameRle(bookOut, ourOut));
            Timing t = BenchProcess.interleave(ours, book, runs, err, TIMEOUT_SECONDS);
            vsPython.jfutures = new BenchReport.Figure("jfutures compress", t.medianA(), t.a(), "ms");
            vsPython.other = new BenchReport.Figure("book's Python", t.medianB(), t.b(), "ms");
            vsPython.measured(t.medianB() / t.medianA());
            vsPython.note = "Python: " + python.command() + " (" + python.versions() + ")";
            section.put("image", Map.of("width", sizes.width(), "height", sizes.height(), "bytes", Files.size(image),
                    "rle_bytes", Files.size(ourOut)));
            section.put("python_command", book.command());
            section.put("jfutures_command", ours.command());
        }

        Path in = imageDirectory(env, sizes, err);
        Path outPool = env.work().resolve("out-pool");
        Path outOne = env.work().resolve("out-one");
        Subject pool = new Subject("--executor process", env.jfutures("compress", in.toString(), "-o",
                outPool.toString(), "--executor", "process", "--no-progress"), () -> BenchRun.deleteTree(outPool));
        Subject one = new Subject("--executor process --workers 1", env.jfutures("compress", in.toString(), "-o",
                outOne.toString(), "--executor", "process", "--workers", "1", "--no-progress"),
                () -> BenchRun.deleteTree(outOne));
        env.log().printf("compress: a directory of %d images, one untimed run of each, then %d interleaved runs"
                + " of each ...%n", sizes.dirCount(), runs);
        env.log().flush();
        BenchProcess.run(pool, false, err, TIMEOUT_SECONDS);
        BenchProcess.run(one, false, err, TIMEOUT_SECONDS);
        report.checks.add(sameDirectories(outPool, outOne));
        Timing t = BenchProcess.interleave(pool, one, runs, err, TIMEOUT_SECONDS);
        speedup.jfutures = new BenchReport.Figure("process pool", t.medianA(), t.a(), "ms");
        speedup.other = new BenchReport.Figure("--workers 1", t.medianB(), t.b(), "ms");
        speedup.measured(t.medianB() / t.medianA());
        section.put("directory", Map.of("images", sizes.dirCount(), "width", sizes.dirWidth(), "height",
                sizes.dirHeight()));
        section.put("dir_commands", List.of(pool.command(), one.command()));
        section.put("runs", runs);
    }

    /** The large image, by {@code jfutures samples}: black and white, as the book's program expects. */
    private static Path oneImage(BenchRun.Env env, Sizes sizes, Path err)
            throws BenchProcess.Failure, InterruptedException, IOException {
        Path dir = Files.createDirectories(env.work().resolve("image"));
        BenchProcess.run(new Subject("jfutures samples", env.jfutures("samples", dir.toString(), "--count", "1",
                "--size", sizes.width() + "x" + sizes.height(), "--format", "bmp", "--kind", "bilevel", "--seed", "1"),
                () -> { }), false, err, TIMEOUT_SECONDS);
        return onlyImage(dir);
    }

    /** The directory of images, by {@code jfutures samples}: its default mix of kinds, as PNG. */
    private static Path imageDirectory(BenchRun.Env env, Sizes sizes, Path err)
            throws BenchProcess.Failure, InterruptedException, IOException {
        Path dir = Files.createDirectories(env.work().resolve("images"));
        BenchProcess.run(new Subject("jfutures samples", env.jfutures("samples", dir.toString(), "--count",
                String.valueOf(sizes.dirCount()), "--size", sizes.dirWidth() + "x" + sizes.dirHeight(), "--format",
                "png", "--kind", "mixed", "--seed", "1"), () -> { }), false, err, TIMEOUT_SECONDS);
        return dir;
    }

    private static Path onlyImage(Path dir) throws IOException, BenchProcess.Failure {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> l = files.filter(Files::isRegularFile).toList();
            if (l.size() != 1) {
                throw new BenchProcess.Failure("'jfutures samples --count 1' wrote " + l.size() + " files to " + dir);
            }
            return l.get(0);
        }
    }

    static BenchReport.Check sameRle(Path book, Path ours) throws IOException {
        String what = "the book's Python and jfutures compress write the same .rle bytes";
        if (BenchProcess.sameBytes(book, ours)) {
            return new BenchReport.Check(SECTION, "compress_same_rle", what, true,
                    "the book's Python and jfutures compress wrote the same " + Files.size(ours) + " bytes");
        }
        return new BenchReport.Check(SECTION, "compress_same_rle", what, false, String.format(Locale.ROOT,
                "the .rle files differ: the book's Python wrote %d bytes, jfutures compress %d; first difference at"
                        + " byte %d", Files.size(book), Files.size(ours), firstDifference(book, ours)));
    }

    static BenchReport.Check sameDirectories(Path a, Path b) throws IOException {
        String what = "--executor process and --workers 1 write the same files";
        List<String> names = names(a);
        List<String> other = names(b);
        List<String> differ = new ArrayList<>();
        if (names.equals(other)) {
            for (String n : names) {
                if (!BenchProcess.sameBytes(a.resolve(n), b.resolve(n))) {
                    differ.add(n);
                }
            }
        }
        boolean ok = names.equals(other) && differ.isEmpty() && !names.isEmpty();
        String detail = ok ? "both wrote the same " + names.size() + " files"
                : !names.equals(other) ? "they wrote different files: " + names.size() + " and " + other.size()
                : names.isEmpty() ? "neither wrote a file"
                : differ.size() + " of " + names.size() + " files differ, e.g. " + differ.get(0);
        return new BenchReport.Check(SECTION, "compress_dir_same", what, ok, detail);
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static long firstDifference(Path a, Path b) throws IOException {
        byte[] x = Files.readAllBytes(a);
        byte[] y = Files.readAllBytes(b);
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            if (x[i] != y[i]) {
                return i;
            }
        }
        return n;
    }

    /**
     * A Python that imports Pillow and bitarray: {@code explicit} alone when given, else
     * {@code python3} on the PATH, then {@code /usr/bin/python3} (where Debian's packages put them).
     */
    static Python findPython(String explicit) throws InterruptedException {
        List<String> candidates = explicit != null ? List.of(explicit) : List.of("python3", "/usr/bin/python3");
        List<String> problems = new ArrayList<>();
        for (String c : candidates) {
            String[] r = probe(c);
            if (r[1] == null) {
                return new Python(c, r[0], null);
            }
            problems.add(c + ": " + r[1]);
        }
        return new Python(null, null, "no Python that imports Pillow and bitarray (" + String.join("; ", problems)
                + "); install them for /usr/bin/python3 with 'apt-get install " + DEBIAN_PACKAGES + "', or give"
                + " --python CMD");
    }

    /** {versions, null} when {@code cmd} imports both, else {null, why not}. */
    private static String[] probe(String cmd) throws InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd, "-c", "import sys, PIL, bitarray; "
                    + "print('Python', sys.version.split()[0], 'Pillow', PIL.__version__, 'bitarray', bitarray.__version__)")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            return new String[] {null, "not found (" + e.getMessage() + ")"};
        }
        String out;
        try {
            p.getOutputStream().close();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            out = e.toString();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            BenchProcess.killTree(p);
            return new String[] {null, "did not answer within 60 s"};
        }
        if (p.exitValue() != 0) {
            String last = out.isEmpty() ? "exit code " + p.exitValue() : out.substring(out.lastIndexOf('\n') + 1);
            return new String[] {null, last};
        }
        return new String[] {out, null};
    }
}
