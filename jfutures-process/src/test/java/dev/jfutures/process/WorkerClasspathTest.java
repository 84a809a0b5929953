package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.jfutures.TaskExecutor;
import dev.jfutures.process.internal.WorkerClasspath;
import dev.jfutures.testkit.Tasks;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the worker classpath comes from ({@link WorkerClasspath}). Each way of launching a program
 * is a real child JVM that builds a {@link ProcessPool} and runs a serializable lambda in a worker,
 * or fails at {@code build()}: a program on the module path, an {@code mvn exec:java}-like
 * URLClassLoader, {@code java -jar} with a manifest Class-Path from the jar's own directory, and
 * class loaders that give jfutures no file location. An explicit classpath is checked in this JVM.
 *
 * <p>The child programs are compiled at test time: a module {@code app} whose {@code app.Main}
 * prints {@code RESULT 42 <worker pid> <worker directory> parent <its pid>}, or {@code BUILD FAILED:
 * <message>} and exits with 3; and two launchers outside every classpath of this test.
 */
class WorkerClasspathTest extends ProcessTestBase {

    /** The most a child JVM may take: start, a pool, one worker, one task. Beyond it, a hang. */
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern RESULT = Pattern.compile("RESULT 42 (\\d+) (.+) parent (\\d+)");
    private static final String JAVA = ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());

    @TempDir
    static Path shared;
    /** Where this JVM loaded jfutures-core and jfutures-process from: directories or jars. */
    private static Path core;
    private static Path process;
    /** The compiled module {@code app}, and the two launchers. */
    private static Path app;
    private static Path launchers;

    @BeforeAll
    static void compilePrograms() throws IOException, URISyntaxException {
        core = location(TaskExecutor.class);
        process = location(ProcessPool.class);
        app = shared.resolve("app");
        launchers = shared.resolve("launchers");
        compile(app, List.of("--module-path", core + File.pathSeparator + process), Map.of(
                "module-info.java", "module app { requires dev.jfutures.process; }\n",
                "app/Main.java", APP_MAIN));
        compile(launchers, List.of(), Map.of(
                "launch/ExecLauncher.java", EXEC_LAUNCHER,
                "launch/BytesLauncher.java", BYTES_LAUNCHER));
    }

    // ------------------------------------------------------------------------------ child JVMs

    /** A program on the module path ({@code java -p ... -m app/app.Main}) runs tasks in workers. */
    @Test
    void programOnTheModulePathRunsTasksInWorkers() throws Exception {
        Outcome o = run(shared, List.of("-p", join(core, process, app), "-m", "app/app.Main"));
        assertRanInAWorker(o, null);
    }

    /**
     * A program in a URLClassLoader over its classes and jfutures, below the platform loader and
     * the thread's context loader, with only a launcher on java.class.path (what {@code mvn
     * exec:java} does), runs tasks in workers.
     */
    @Test
    void programInAUrlClassLoaderAsUnderExecJavaRunsTasksInWorkers() throws Exception {
        Outcome o = run(shared, List.of("-cp", launchers.toString(), "launch.ExecLauncher",
                core.toString(), process.toString(), app.toString(), "--", "app.Main"));
        assertRanInAWorker(o, null);
    }

    /**
     * {@code java -jar app.jar}, run from the jar's directory (java.class.path is the relative
     * {@code app.jar}), whose manifest's Class-Path names jfutures, runs tasks in workers that have
     * a working directory of their own.
     */
    @Test
    void javaDashJarFromItsDirectoryRunsTasksInWorkersWithAnotherWorkingDirectory() throws Exception {
        Path runDir = Files.createDirectories(shared.resolve("jar-run"));
        Path workDir = Files.createDirectories(shared.resolve("jar-work")).toRealPath();
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "app.Main");
        mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, core.toUri() + " " + process.toUri());
        jar(runDir.resolve("app.jar"), mf, app);
        Outcome o = run(runDir, List.of("-jar", "app.jar", workDir.toString()));
        assertRanInAWorker(o, workDir);
    }

    /**
     * Classes defined by a class loader of another kind, with a jar-in-a-jar code source (a Spring
     * Boot fat jar's), fail at build(), saying where jfutures came from and to set classpath(...).
     */
    @Test
    void jfuturesFromAJarInAJarFailsAtBuildNamingClasspath() throws Exception {
        String nested = "jar:file:" + shared.resolve("boot.jar") + "!/BOOT-INF/lib/jfutures-process.jar!/";
        Outcome o = run(shared, List.of("-cp", launchers.toString(), "launch.BytesLauncher", nested,
                core.toString(), process.toString(), app.toString(), "--", "app.Main"));
        assertFailedAtBuild(o).contains("launch.BytesLauncher").contains(nested);
    }

    /** Classes defined with no code source at all fail at build(), naming classpath(...). */
    @Test
    void jfuturesWithNoCodeSourceFailsAtBuildNamingClasspath() throws Exception {
        Outcome o = run(shared, List.of("-cp", launchers.toString(), "launch.BytesLauncher", "none",
                core.toString(), process.toString(), app.toString(), "--", "app.Main"));
        assertFailedAtBuild(o).contains("launch.BytesLauncher").contains("no code source");
    }

    // ------------------------------------------------------------------------------ explicit

    /** An explicit classpath without jfutures-process fails at build(), naming it and the setting. */
    @Test
    void explicitClasspathWithoutJfuturesProcessFailsAtBuild() {
        assertThatThrownBy(() -> ProcessPool.builder().classpath(core.toString()).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("classpath(\"" + core + "\") lacks jfutures-process,")
                .hasMessageContaining("has dev/jfutures/process/Worker.class,")
                .hasMessageNotContaining("TaskExecutor");
    }

    /** An explicit classpath with neither jar names both. */
    @Test
    void explicitClasspathWithNeitherNamesBoth() {
        assertThatThrownBy(() -> WorkerClasspath.resolve(app.toString()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lacks jfutures-process and jfutures-core,")
                .hasMessageContaining("has dev/jfutures/process/Worker.class and dev/jfutures/TaskExecutor.class,");
    }

    /**
     * An explicit classpath that reaches jfutures through a jar's manifest Class-Path is accepted,
     * and its workers run tasks.
     */
    @Test
    void explicitClasspathThroughAManifestRunsTasks(@TempDir Path dir) throws Exception {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, core.toUri() + " " + process.toUri());
        Path pathJar = dir.resolve("path.jar");
        jar(pathJar, mf, null);
        String cp = join(pathJar, location(WorkerClasspathTest.class), location(Tasks.class));
        assertThat(WorkerClasspath.resolve(cp)).isEqualTo(cp);
        ProcessPool p = pool(ProcessPool.builder().workers(1).classpath(cp));
        assertThat(p.submit(() -> Tasks.mul(6, 7)).result(HANG)).isEqualTo(42);
    }

    /** Relative entries of an explicit classpath come back absolute, against this JVM's directory. */
    @Test
    void explicitRelativeEntriesBecomeAbsolute() {
        Path here = Path.of("").toAbsolutePath();
        String relative = here.relativize(process) + File.pathSeparator + here.relativize(core);
        assertThat(WorkerClasspath.resolve(relative)).isEqualTo(process + File.pathSeparator + core);
    }

    /** A wildcard entry stays a wildcard, made absolute, and the jars it stands for are searched. */
    @Test
    void explicitWildcardIsSearchedAndKept(@TempDir Path dir) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        asJar(core, lib.resolve("core.jar"));
        asJar(process, lib.resolve("process.jar"));
        assertThat(WorkerClasspath.resolve(lib + File.separator + "*")).isEqualTo(lib + File.separator + "*");
    }

    // ------------------------------------------------------------------------------ this JVM

    /**
     * This JVM's own classpath, found: absolute entries, none twice, none of the JDK's, reaching
     * where this JVM loaded jfutures from (the suite's every pool runs on it).
     */
    @Test
    void foundClasspathIsAbsoluteWithoutDuplicatesOrTheJdk() {
        List<String> entries = Arrays.asList(WorkerClasspath.resolve(null).split(File.pathSeparator));
        assertThat(entries).isNotEmpty().doesNotHaveDuplicates()
                .allSatisfy(e -> assertThat(Path.of(e).isAbsolute()).as("absolute: %s", e).isTrue())
                .noneSatisfy(e -> assertThat(e).startsWith(System.getProperty("java.home")));
        assertThat(WorkerClasspath.resolve(null)).as("the same inputs, the same classpath")
                .isEqualTo(String.join(File.pathSeparator, entries));
    }

    // ------------------------------------------------------------------------------ helpers

    private record Outcome(int exitCode, String stdout, String stderr) {
    }

    /** The child printed a result computed in a worker JVM (not itself), in {@code workDir} if set. */
    private static void assertRanInAWorker(Outcome o, Path workDir) {
        assertThat(o.exitCode()).as("exit code; stdout: %s; stderr: %s", o.stdout(), o.stderr()).isZero();
        Matcher m = RESULT.matcher(o.stdout());
        assertThat(m.find()).as("a RESULT line in %s; stderr: %s", o.stdout(), o.stderr()).isTrue();
        assertThat(m.group(1)).as("the task ran in another JVM than the pool's").isNotEqualTo(m.group(3));
        if (workDir != null) {
            assertThat(m.group(2)).as("the worker's working directory").isEqualTo(workDir.toString());
        }
    }

    /** The child's build() failed with a message naming classpath(...); the message, for more. */
    private static org.assertj.core.api.AbstractStringAssert<?> assertFailedAtBuild(Outcome o) {
        assertThat(o.exitCode()).as("exit code; stdout: %s; stderr: %s", o.stdout(), o.stderr()).isEqualTo(3);
        assertThat(o.stdout()).startsWith("BUILD FAILED: ");
        return assertThat(o.stdout()).contains("ProcessPool.builder().classpath(...)")
                .contains("jfutures-process (dev.jfutures.process.Worker) was loaded by");
    }

    /**
     * Runs {@code java <args>} in {@code dir} with this JVM's {@code java}, its output to files
     * (no pipe to fill); waits at most {@link #CHILD_TIMEOUT}, and kills it and its workers if it
     * is still alive then.
     */
    private static Outcome run(Path dir, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(JAVA);
        cmd.addAll(args);
        Path out = Files.createTempFile(shared, "child-", ".out");
        Path err = Files.createTempFile(shared, "child-", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        // The child's class path is what the test says: no CLASSPATH, no injected options.
        pb.environment().remove("CLASSPATH");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        Process p = pb.start();
        try {
            if (!p.waitFor(CHILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("%s did not exit within %s; stdout: %s; stderr: %s", cmd, CHILD_TIMEOUT,
                        Files.readString(out), Files.readString(err));
            }
            return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The directory or jar {@code c} was loaded from. */
    private static Path location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String join(Path... paths) {
        return Stream.of(paths).map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    private static void compile(Path out, List<String> options, Map<String, String> sources)
            throws IOException {
        Path src = out.resolveSibling(out.getFileName() + "-src");
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of("-d", out.toString()));
        for (Map.Entry<String, String> s : sources.entrySet()) {
            Path f = src.resolve(s.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, s.getValue());
            args.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK with javac runs the tests").isNotNull();
        assertThat(javac.run(null, null, null, args.toArray(new String[0]))).as("javac %s", args).isZero();
    }

    /** Writes a jar with {@code mf} and the files under {@code classes} (if not null), but module-info. */
    private static void jar(Path jar, Manifest mf, Path classes) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            if (classes == null) {
                return;
            }
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
                    if (!name.equals("module-info.class")) {
                        out.putNextEntry(new JarEntry(name));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
            }
        }
    }

    /** {@code location} (a directory of classes, or a jar) as the jar {@code target}. */
    private static void asJar(Path location, Path target) throws IOException {
        if (Files.isDirectory(location)) {
            Manifest mf = new Manifest();
            mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            jar(target, mf, location);
        } else {
            Files.copy(location, target);
        }
    }

    // ------------------------------------------------------------------------------ programs

    /** The application: one pool, one worker, one lambda; or the message of build()'s failure. */
    private static final String APP_MAIN = String.join("\n",
            "package app;",
            "",
            "import dev.jfutures.Task;",
            "import dev.jfutures.process.ProcessPool;",
            "import java.nio.file.Path;",
            "",
            "public final class Main {",
            "    public static void main(String[] args) throws Exception {",
            "        ProcessPool.Builder builder = ProcessPool.builder().workers(1);",
            "        if (args.length > 0) {",
            "            builder.workingDirectory(Path.of(args[0]));",
            "        }",
            "        ProcessPool pool;",
            "        try {",
            "            pool = builder.build();",
            "        } catch (IllegalStateException e) {",
            "            System.out.println(\"BUILD FAILED: \" + e.getMessage());",
            "            System.exit(3);",
            "            return;",
            "        }",
            "        try (pool) {",
            "            int six = 6;",
            "            Task<String> task = () -> (six * 7) + \" \" + ProcessHandle.current().pid() + \" \"",
            "                    + Path.of(\"\").toAbsolutePath();",
            "            System.out.println(\"RESULT \" + pool.submit(task).result() + \" parent \"",
            "                    + ProcessHandle.current().pid());",
            "        }",
            "    }",
            "}",
            "");

    /**
     * As {@code mvn exec:java}: the application in a URLClassLoader whose parent is the platform
     * loader, made the thread's context loader, its main called reflectively.
     */
    private static final String EXEC_LAUNCHER = String.join("\n",
            "package launch;",
            "",
            "import java.lang.reflect.InvocationTargetException;",
            "import java.net.URL;",
            "import java.net.URLClassLoader;",
            "import java.nio.file.Path;",
            "import java.util.Arrays;",
            "",
            "/** Usage: ExecLauncher DIR_OR_JAR... -- MAIN ARGS... */",
            "public final class ExecLauncher {",
            "    public static void main(String[] args) throws Throwable {",
            "        int sep = Arrays.asList(args).indexOf(\"--\");",
            "        URL[] urls = new URL[sep];",
            "        for (int i = 0; i < sep; i++) {",
            "            urls[i] = Path.of(args[i]).toUri().toURL();",
            "        }",
            "        ClassLoader realm = new URLClassLoader(\"realm\", urls, ClassLoader.getPlatformClassLoader());",
            "        Thread.currentThread().setContextClassLoader(realm);",
            "        try {",
            "            Class.forName(args[sep + 1], true, realm).getMethod(\"main\", String[].class)",
            "                    .invoke(null, (Object) Arrays.copyOfRange(args, sep + 2, args.length));",
            "        } catch (InvocationTargetException e) {",
            "            throw e.getCause();",
            "        }",
            "    }",
            "}",
            "");

    /**
     * A class loader of its own kind (not a URLClassLoader) that defines the classes from their
     * bytes with one code source, given as a URL, or none at all.
     */
    private static final String BYTES_LAUNCHER = String.join("\n",
            "package launch;",
            "",
            "import java.io.IOException;",
            "import java.io.InputStream;",
            "import java.lang.reflect.InvocationTargetException;",
            "import java.net.URL;",
            "import java.net.URLClassLoader;",
            "import java.nio.file.Path;",
            "import java.security.CodeSigner;",
            "import java.security.CodeSource;",
            "import java.security.ProtectionDomain;",
            "import java.util.Arrays;",
            "",
            "/** Usage: BytesLauncher CODE_SOURCE_URL|none DIR_OR_JAR... -- MAIN ARGS... */",
            "public final class BytesLauncher extends ClassLoader {",
            "    private final URLClassLoader files;",
            "    private final ProtectionDomain domain;",
            "",
            "    private BytesLauncher(URL[] urls, CodeSource source) {",
            "        super(\"bytes\", ClassLoader.getPlatformClassLoader());",
            "        this.files = new URLClassLoader(urls, null);",
            "        this.domain = new ProtectionDomain(source, null);",
            "    }",
            "",
            "    @Override",
            "    protected Class<?> findClass(String name) throws ClassNotFoundException {",
            "        try (InputStream in = files.getResourceAsStream(name.replace('.', '/') + \".class\")) {",
            "            if (in == null) {",
            "                throw new ClassNotFoundException(name);",
            "            }",
            "            byte[] b = in.readAllBytes();",
            "            return defineClass(name, b, 0, b.length, domain);",
            "        } catch (IOException e) {",
            "            throw new ClassNotFoundException(name, e);",
            "        }",
            "    }",
            "",
            "    public static void main(String[] args) throws Throwable {",
            "        int sep = Arrays.asList(args).indexOf(\"--\");",
            "        URL[] urls = new URL[sep - 1];",
            "        for (int i = 1; i < sep; i++) {",
            "            urls[i - 1] = Path.of(args[i]).toUri().toURL();",
            "        }",
            "        CodeSource source = args[0].equals(\"none\") ? null : new CodeSource(new URL(args[0]), (CodeSigner[]) null);",
            "        ClassLoader loader = new BytesLauncher(urls, source);",
            "        Thread.currentThread().setContextClassLoader(loader);",
            "        try {",
            "            Class.forName(args[sep + 1], true, loader).getMethod(\"main\", String[].class)",
            "                    .invoke(null, (Object) Arrays.copyOfRange(args, sep + 2, args.length));",
            "        } catch (InvocationTargetException e) {",
            "            throw e.getCause();",
            "        }",
            "    }",
            "}",
            "");
}
