package dev.jfutures.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a CPython side script ({@code cpython_core_bench.py} or {@code cpython_process_bench.py},
 * shipped in this jar, or given with {@code --python-script}) in a {@code python3} subprocess and
 * reads the one JSON object it prints.
 */
final class CpythonRunner {

    static final String RESOURCE = "/dev/jfutures/bench/cpython_core_bench.py";
    static final String PROCESS_RESOURCE = "/dev/jfutures/bench/cpython_process_bench.py";

    /** What came back: the parsed JSON, or why there is none. */
    static final class Outcome {
        final Map<String, Object> json;
        final String version;
        final String skipped;

        private Outcome(Map<String, Object> json, String version, String skipped) {
            this.json = json;
            this.version = version;
            this.skipped = skipped;
        }

        static Outcome skipped(String why) {
            return new Outcome(null, null, why);
        }

        boolean ran() {
            return json != null;
        }

        /** The median of one case, or NaN. */
        double median(String caseId) {
            Map<String, Object> c = caseMap(caseId);
            Object m = c == null ? null : c.get("median");
            return m instanceof Number ? ((Number) m).doubleValue() : Double.NaN;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> caseMap(String caseId) {
            if (json == null) {
                return null;
            }
            Object cases = json.get("cases");
            return cases instanceof Map ? (Map<String, Object>) ((Map<String, Object>) cases).get(caseId) : null;
        }

        @SuppressWarnings("unchecked")
        List<Double> samples(String caseId) {
            Map<String, Object> c = caseMap(caseId);
            Object s = c == null ? null : c.get("samples");
            return s instanceof List ? (List<Double>) s : List.of();
        }
    }

    private CpythonRunner() {
    }

    static Outcome run(String python, Path scriptOverride, List<String> scriptArgs, long timeoutSeconds)
            throws InterruptedException {
        return run(python, RESOURCE, scriptOverride, scriptArgs, timeoutSeconds);
    }

    /** Runs the script at {@code resource} in this jar, or {@code scriptOverride} when given. */
    static Outcome run(String python, String resource, Path scriptOverride, List<String> scriptArgs,
                       long timeoutSeconds) throws InterruptedException {
        String version;
        try {
            Process probe = new ProcessBuilder(python, "-c",
                    "import sys, concurrent.futures; print(sys.version.split()[0])")
                    .redirectErrorStream(true).start();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                probe.destroyForcibly();
                return Outcome.skipped("'" + python + "' does not run concurrent.futures: " + out);
            }
            version = out;
        } catch (IOException e) {
            return Outcome.skipped("'" + python + "' not found (" + e.getMessage() + ")");
        }

        Path script;
        try {
            script = scriptOverride != null ? scriptOverride : extractScript(resource);
        } catch (IOException e) {
            return Outcome.skipped("cannot write the CPython script to a temporary file: " + e);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(python);
        cmd.add(script.toString());
        cmd.addAll(scriptArgs);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            return Outcome.skipped("cannot start " + cmd + ": " + e.getMessage());
        }
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // it reads no input
        }
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return Outcome.skipped("CPython run took longer than " + timeoutSeconds + " s and was killed");
        }
        String text = stdout.join().trim();
        if (p.exitValue() != 0) {
            return Outcome.skipped("CPython run failed with exit code " + p.exitValue());
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) Json.parse(text);
            return new Outcome(json, version, null);
        } catch (RuntimeException e) {
            return Outcome.skipped("CPython printed no valid JSON (" + e.getMessage() + "): " + abbreviate(text));
        } finally {
            if (scriptOverride == null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    private static Path extractScript(String resource) throws IOException {
        String base = resource.substring(resource.lastIndexOf('/') + 1).replace(".py", "");
        Path tmp = Files.createTempFile(base, ".py");
        try (InputStream in = CpythonRunner.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the class path");
            }
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        tmp.toFile().deleteOnExit();
        return tmp;
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
