package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dev.jfutures.testkit, as built, is a named module that exports its one package, and a test
 * module on the module path that requires it (and nothing of jfutures but it) runs a suite.
 *
 * <p>The testkit's own tests run on the class path (see the pom): Surefire puts JUnit's launcher
 * on the class path and a module that requires JUnit's API on the module path, where the launcher
 * cannot reach JUnit's internals. This test is the module-path run, in a JVM of its own.
 */
class TestkitModuleTest {

    private static Path testkitLocation() throws Exception {
        return Path.of(ExecutorKind.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void testkitIsANamedModuleThatExportsItsApi() throws Exception {
        Path location = testkitLocation();
        ModuleDescriptor d = ModuleFinder.of(location).find("dev.jfutures.testkit")
                .orElseThrow(() -> new AssertionError("no module dev.jfutures.testkit at " + location)).descriptor();
        assertThat(d.isAutomatic()).isFalse();
        assertThat(d.isOpen()).as("open: JUnit reflects on the suites").isTrue();
        assertThat(d.exports().stream().map(e -> e.source() + (e.isQualified() ? " to " + e.targets() : ""))
                .collect(Collectors.toList())).containsExactly("dev.jfutures.testkit");
        assertThat(d.requires().stream()
                .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                .map(ModuleDescriptor.Requires::name))
                .containsExactlyInAnyOrder("dev.jfutures", "org.junit.jupiter.api", "org.assertj.core");
    }

    /**
     * A module {@code probe} that requires only dev.jfutures.testkit (and JUnit's launcher, to run
     * itself) binds {@link FutureTests} and {@link ExecutorTests} to a thread pool of its own and runs it with JUnit on the
     * module path: every test passes, and there are some.
     */
    @Test
    void aTestModuleRunsASuiteOnTheModulePath(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src");
        write(src.resolve("module-info.java"),
                "open module probe {\n"
                + "    requires dev.jfutures.testkit;\n"
                + "    requires org.junit.platform.launcher;\n"
                + "}\n");
        write(src.resolve("probe/ProbeKind.java"),
                "package probe;\n"
                + "import dev.jfutures.TaskExecutor;\n"
                + "import dev.jfutures.ThreadPool;\n"
                + "import dev.jfutures.testkit.ExecutorKind;\n"
                + "import dev.jfutures.testkit.ExecutorSpec;\n"
                + "import java.util.List;\n"
                + "final class ProbeKind implements ExecutorKind {\n"
                + "    public TaskExecutor newExecutor(ExecutorSpec spec) {\n"
                + "        ThreadPool.Builder b = ThreadPool.builder().workers(spec.workers());\n"
                + "        if (spec.initializer() != null) { b.initializer(spec.initializer()); }\n"
                + "        return b.build();\n"
                + "    }\n"
                + "    public void assertNoLeaks(TaskExecutor e) {\n"
                + "        org.assertj.core.api.Assertions.assertThat(((ThreadPool) e).poolSize()).isZero();\n"
                + "    }\n"
                + "    public List<String> exitProbe(String scenario) {\n"
                + "        throw new UnsupportedOperationException(scenario);\n"
                + "    }\n"
                + "}\n");
        write(src.resolve("probe/ProbeFutureTest.java"),
                "package probe;\n"
                + "class ProbeFutureTest extends dev.jfutures.testkit.FutureTests {\n"
                + "    ProbeFutureTest() { super(new ProbeKind()); }\n"
                + "}\n");
        write(src.resolve("probe/ProbeExecutorTest.java"),
                "package probe;\n"
                + "class ProbeExecutorTest extends dev.jfutures.testkit.ExecutorTests {\n"
                + "    ProbeExecutorTest() { super(new ProbeKind()); }\n"
                + "}\n");
        write(src.resolve("probe/Main.java"),
                "package probe;\n"
                + "import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;\n"
                + "import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;\n"
                + "import org.junit.platform.launcher.core.LauncherFactory;\n"
                + "import org.junit.platform.launcher.listeners.SummaryGeneratingListener;\n"
                + "import org.junit.platform.launcher.listeners.TestExecutionSummary;\n"
                + "public final class Main {\n"
                + "    public static void main(String[] args) {\n"
                + "        SummaryGeneratingListener listener = new SummaryGeneratingListener();\n"
                + "        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()\n"
                + "                .selectors(selectClass(ProbeFutureTest.class), selectClass(ProbeExecutorTest.class)).build(), listener);\n"
                + "        TestExecutionSummary s = listener.getSummary();\n"
                + "        s.printFailuresTo(new java.io.PrintWriter(System.err, true), 20);\n"
                + "        System.out.println(\"module=\" + ProbeFutureTest.class.getModule().getName()\n"
                + "                + \" testkit=\" + dev.jfutures.testkit.FutureTests.class.getModule().getName()\n"
                + "                + \" found=\" + s.getTestsFoundCount() + \" succeeded=\" + s.getTestsSucceededCount());\n"
                + "        System.out.flush(); System.exit(s.getTotalFailureCount() == 0 && s.getTestsFoundCount() > 0 ? 0 : 1);\n"
                + "    }\n"
                + "}\n");

        String modulePath = modulePath();
        Path classes = dir.resolve("classes");
        List<String> javacArgs = new ArrayList<>(List.of("-d", classes.toString(), "--module-path", modulePath));
        try (var files = Files.walk(src)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> javacArgs.add(p.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK with javac runs the tests").isNotNull();
        assertThat(javac.run(null, null, null, javacArgs.toArray(new String[0]))).as("javac of the probe module").isZero();

        String javaBin = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        // The Jupiter engine is a service that nothing requires: --add-modules resolves it.
        ProcessBuilder pb = new ProcessBuilder(javaBin,
                "--module-path", classes + File.pathSeparator + modulePath,
                "--add-modules", "org.junit.jupiter.engine",
                "-m", "probe/probe.Main")
                .redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        try {
            // The suite's own tests wait on events; this bound is only against a hang.
            assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("probe module exited").isTrue();
            String out = Files.readString(dir.resolve("out"));
            String err = Files.readString(dir.resolve("err"));
            assertThat(p.exitValue()).as("probe exit code; stdout: %s; stderr: %s", out, err).isZero();
            Matcher m = Pattern
                    .compile("module=probe testkit=dev.jfutures.testkit found=(\\d+) succeeded=(\\d+)").matcher(out);
            assertThat(m.find()).as("probe's summary in %s", out).isTrue();
            assertThat(Integer.parseInt(m.group(1))).as("tests found").isGreaterThan(20);
            assertThat(m.group(2)).as("tests succeeded").isEqualTo(m.group(1));
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The testkit's classes and the jars of this JVM's class path that the probe needs: jfutures'
     * core, JUnit's and AssertJ's (and their own dependencies), but not this test's classes.
     */
    private static String modulePath() throws Exception {
        String testClasses = Path.of(TestkitModuleTest.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).toString();
        List<String> entries = new ArrayList<>();
        entries.add(testkitLocation().toString());
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty() && !e.equals(testClasses) && !entries.contains(e)
                    && !e.contains("surefire") && Files.exists(Path.of(e))) {
                entries.add(e);
            }
        }
        assertThat(entries).as("class path of this test: %s", System.getProperty("java.class.path"))
                .anyMatch(e -> e.contains("junit-platform-launcher"))
                .anyMatch(e -> e.contains("jfutures-core"));
        return String.join(File.pathSeparator, entries);
    }

    private static void write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
