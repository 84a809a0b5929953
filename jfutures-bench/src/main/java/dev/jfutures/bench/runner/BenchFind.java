package dev.jfutures.bench.runner;

import dev.jfutures.bench.runner.BenchProcess.Run;
import dev.jfutures.bench.runner.BenchProcess.Subject;
import dev.jfutures.bench.runner.BenchProcess.Timing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The find section of {@code jfutures bench}: GNU {@code find ROOT -path '*PATTERN*'} against
 * {@code jfutures find ROOT PATTERN --executor thread}, whole process against whole process (JVM
 * start included), on a warm cache, interleaved; the target is jfutures' median wall time at most
 * 1.5 times GNU find's. Both must print the same set of paths.
 */
final class BenchFind {

    static final String SECTION = "find";
    static final double TARGET = 1.5;
    /** A pattern is chosen to match between this many paths ... */
    static final int FEWEST_MATCHES = 2;
    /** ... and this many. */
    static final int MOST_MATCHES = 20;
    private static final long TIMEOUT_SECONDS = 300;

    private BenchFind() {
    }

    static void run(BenchRun.Env env, Path root, String patternOption, int runs)
            throws BenchProcess.Failure, InterruptedException {
        BenchReport report = env.report();
        Map<String, Object> section = report.section(SECTION);
        String rootText = root.toString();
        String gnu = gnuFind();
        if (gnu == null) {
            String why = "GNU find is not on the PATH ('find --version' does not say GNU findutils)";
            report.rows.add(row(rootText, "PATTERN").skipped(why));
            section.put("status", "skipped");
            section.put("reason", why);
            return;
        }
        Path err = env.work().resolve("find.stderr");
        env.log().printf("find: listing %s with GNU find (untimed; warms the cache) ...%n", rootText);
        env.log().flush();
        Run listing = BenchProcess.run(List.of(gnu, rootText, "-print0"), true, err, TIMEOUT_SECONDS);
        List<String> all = List.of(new String(listing.out(), StandardCharsets.UTF_8).split("\0"));
        String pattern = patternOption != null ? patternOption : choosePattern(all);
        if (pattern == null) {
            throw new BenchProcess.Failure("no pattern under " + rootText + " matches between " + FEWEST_MATCHES
                    + " and " + MOST_MATCHES + " of its " + all.size() + " paths; give one with --find-pattern");
        }
        BenchReport.Row row = row(rootText, pattern);
        report.rows.add(row);
        Subject gnuFind = new Subject("GNU find", List.of(gnu, rootText, "-path", "*" + pattern + "*"), () -> { },
                code -> code == 0 || code == 1);
        Subject ours = new Subject("jfutures find", env.jfutures("find", rootText, pattern, "--executor", "thread"),
                () -> { }, code -> code == 0 || code == 1);
        env.log().printf("find: pattern '%s'; one untimed run of each, then %d interleaved runs of each ...%n",
                pattern, runs);
        env.log().flush();
        Run g = BenchProcess.run(gnuFind, true, err, TIMEOUT_SECONDS);
        Run o = BenchProcess.run(ours, true, err, TIMEOUT_SECONDS);
        Set<String> gnuPaths = new TreeSet<>(g.lines());
        Set<String> ourPaths = new TreeSet<>(o.lines());
        report.checks.add(samePaths(gnuPaths, ourPaths, g.exit(), o.exit()));

        Timing t = BenchProcess.interleave(ours, gnuFind, runs, err, TIMEOUT_SECONDS);
        row.jfutures = new BenchReport.Figure("jfutures find", t.medianA(), t.a(), "ms");
        row.other = new BenchReport.Figure("GNU find", t.medianB(), t.b(), "ms");
        row.measured(t.medianA() / t.medianB());
        row.note = String.format("pattern '%s': %d of %d paths; exit codes GNU %d, jfutures %d",
                pattern, gnuPaths.size(), all.size(), g.exit(), o.exit());

        section.put("root", rootText);
        section.put("pattern", pattern);
        section.put("pattern_chosen", patternOption == null);
        section.put("paths_under_root", all.size());
        section.put("matches_gnu", gnuPaths.size());
        section.put("matches_jfutures", ourPaths.size());
        section.put("runs", runs);
        section.put("gnu_command", gnuFind.command());
        section.put("jfutures_command", ours.command());
        section.put("output_bytes", List.of(g.bytes(), o.bytes()));
    }

    private static BenchReport.Row row(String root, String pattern) {
        return new BenchReport.Row(SECTION, "find_vs_gnu", "find " + root + " -path '*" + pattern
                + "*': jfutures find / GNU find", "<=", TARGET);
    }

    /** The check: both printed the same set of paths (the order differs: GNU is depth-first, we are breadth-first). */
    static BenchReport.Check samePaths(Set<String> gnu, Set<String> ours, int gnuExit, int ourExit) {
        if (gnu.equals(ours)) {
            return new BenchReport.Check(SECTION, "find_same_paths", "GNU find and jfutures find print the same paths",
                    true, "GNU find and jfutures find printed the same " + gnu.size() + " paths");
        }
        Set<String> onlyGnu = new TreeSet<>(gnu);
        onlyGnu.removeAll(ours);
        Set<String> onlyOurs = new TreeSet<>(ours);
        onlyOurs.removeAll(gnu);
        return new BenchReport.Check(SECTION, "find_same_paths", "GNU find and jfutures find print the same paths",
                false, String.format("the paths differ: GNU find printed %d (exit %d), jfutures find %d (exit %d); "
                        + "only GNU: %s; only jfutures: %s", gnu.size(), gnuExit, ours.size(), ourExit,
                        first(onlyGnu), first(onlyOurs)));
    }

    private static String first(Set<String> s) {
        List<String> l = new ArrayList<>(s);
        return l.size() <= 5 ? l.toString() : l.subList(0, 5) + " and " + (l.size() - 5) + " more";
    }

    /** GNU find's command, or null when the {@code find} on the PATH is not GNU's. */
    static String gnuFind() {
        try {
            Process p = new ProcessBuilder("find", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 && out.contains("GNU findutils") ? "find" : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * A pattern that matches a handful of the paths: a file name that occurs a few times, and
     * whose text occurs in between {@link #FEWEST_MATCHES} and {@link #MOST_MATCHES} paths.
     * Deterministic (the first such name in sorted order); null if there is none.
     */
    static String choosePattern(List<String> paths) {
        Map<String, Integer> names = new HashMap<>();
        for (String p : paths) {
            String name = p.substring(p.lastIndexOf('/') + 1);
            names.merge(name, 1, Integer::sum);
        }
        List<String> candidates = new ArrayList<>();
        names.forEach((name, n) -> {
            if (n >= FEWEST_MATCHES && n <= MOST_MATCHES / 2 && name.length() >= 6 && name.length() <= 40
                    && Character.isLetter(name.charAt(0)) && name.chars().noneMatch(c -> "*?[]\\\n".indexOf(c) >= 0)) {
                candidates.add(name);
            }
        });
        candidates.sort(null);
        for (String c : candidates.subList(0, Math.min(300, candidates.size()))) {
            int matches = 0;
            for (String p : paths) {
                if (p.contains(c) && ++matches > MOST_MATCHES) {
                    break;
                }
            }
            if (matches >= FEWEST_MATCHES && matches <= MOST_MATCHES) {
                return c;
            }
        }
        return null;
    }
}
