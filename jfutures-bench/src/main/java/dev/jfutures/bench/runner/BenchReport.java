package dev.jfutures.bench.runner;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code jfutures bench} found: one row per target (PASS, FAIL or SKIP), the correctness
 * checks (same paths, same bytes), what each section did, and notes. Prints the table and gives
 * the JSON tree; {@link BenchChart} draws the rows.
 */
final class BenchReport {

    /**
     * A target's verdicts. SKIP: not judged, either not measured (a missing tool, a command not in
     * this build) or measured in a {@code --quick} run, whose smoke sizes the targets are not meant
     * for ({@link #quickRun}).
     */
    static final String PASS = "PASS";
    static final String FAIL = "FAIL";
    static final String SKIP = "SKIP";

    /** One subject's figure: the median of its samples. */
    record Figure(String label, double median, List<Double> samples, String unit) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", label);
            m.put("median", median);
            m.put("unit", unit);
            m.put("samples", samples);
            return m;
        }
    }

    /** One target: what was compared, the value, the limit and the verdict. */
    static final class Row {
        final String section;
        final String id;
        final String description;
        /** jfutures' figure, and what it was compared with; either may be null. */
        Figure jfutures;
        Figure other;
        /** The figure the target is about, in {@link #valueUnit} ("x" for a ratio). */
        double value = Double.NaN;
        String valueUnit = "x";
        String op;
        double threshold;
        String verdict;
        /** Context for reading the verdict, or why it was skipped; may be empty. */
        String note = "";

        Row(String section, String id, String description, String op, double threshold) {
            this.section = section;
            this.id = id;
            this.description = description;
            this.op = op;
            this.threshold = threshold;
        }

        /** Sets the value and the verdict it earns: NaN is SKIP. */
        Row measured(double v) {
            value = v;
            verdict = verdict(v, op, threshold);
            return this;
        }

        Row skipped(String why) {
            value = Double.NaN;
            verdict = SKIP;
            note = why;
            return this;
        }

        /**
         * How far past the target, as a factor: value / limit for "&gt;=", limit / value for
         * "&lt;=" and "&lt;". Above 1 passes; NaN when not measured.
         */
        double headroom() {
            if (Double.isNaN(value)) {
                return Double.NaN;
            }
            return op.startsWith(">") ? value / threshold : threshold / value;
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("section", section);
            m.put("id", id);
            m.put("description", description);
            m.put("jfutures", jfutures == null ? null : jfutures.json());
            m.put("other", other == null ? null : other.json());
            m.put("value", value);
            m.put("value_unit", valueUnit);
            m.put("op", op);
            m.put("threshold", threshold);
            m.put("headroom", headroom());
            m.put("verdict", verdict);
            m.put("note", note.isEmpty() ? null : note);
            return m;
        }
    }

    /** A correctness check beside the timing: both sides produced the same thing. */
    record Check(String section, String id, String description, boolean ok, String detail) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("section", section);
            m.put("id", id);
            m.put("description", description);
            m.put("ok", ok);
            m.put("detail", detail);
            return m;
        }
    }

    final List<Row> rows = new ArrayList<>();
    final List<Check> checks = new ArrayList<>();
    /** section name -> what it did: status (ran, skipped, failed), reason, figures. */
    final Map<String, Map<String, Object>> sections = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();

    static String verdict(double value, String op, double threshold) {
        if (Double.isNaN(value)) {
            return SKIP;
        }
        boolean ok = switch (op) {
            case ">=" -> value >= threshold;
            case "<" -> value < threshold;
            default -> value <= threshold;
        };
        return ok ? PASS : FAIL;
    }

    /** The section's entry, created with status "ran". */
    Map<String, Object> section(String name) {
        return sections.computeIfAbsent(name, k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", "ran");
            return m;
        });
    }

    void failed(String section, String why) {
        Map<String, Object> s = section(section);
        s.put("status", "failed");
        s.put("reason", why);
    }

    List<String> failedSections() {
        List<String> failed = new ArrayList<>();
        sections.forEach((name, s) -> {
            if ("failed".equals(s.get("status"))) {
                failed.add(name);
            }
        });
        return failed;
    }

    /** The first line of why a failed section could not run (the rest went to stderr and the JSON). */
    String firstLine(String section) {
        String why = String.valueOf(sections.get(section).get("reason"));
        int nl = why.indexOf('\n');
        return nl < 0 ? why : why.substring(0, nl).replaceFirst(";? ?its output ends.*$", "") + " (more on stderr)";
    }

    /**
     * Marks every judged row SKIP, keeping its figures: a {@code --quick} run measures smoke sizes
     * with few runs, and the targets hold for the full run only, so a quick run judges none.
     * Called once, after every section has run.
     */
    void quickRun() {
        for (Row r : rows) {
            if (!SKIP.equals(r.verdict)) {
                r.note = "--quick: measured " + quantity(r.value, r.valueUnit) + ", not judged; the target holds"
                        + " for the full run" + (r.note.isEmpty() ? "" : "; " + r.note);
                r.verdict = SKIP;
            }
        }
    }

    long count(String verdict) {
        return rows.stream().filter(r -> r.verdict.equals(verdict)).count();
    }

    // ------------------------------------------------------------------ the table

    void print(PrintWriter out, String heading) {
        out.println();
        out.println(heading);
        int width = 24;
        for (Row r : rows) {
            width = Math.max(width, Math.min(66, r.description.length()));
        }
        String fmt = "%-8s %-" + width + "s %22s %30s %10s %10s  %s%n";
        out.printf(Locale.ROOT, fmt, "section", "target", "jfutures", "compared with", "value", "limit", "verdict");
        out.println("-".repeat(8 + width + 22 + 30 + 10 + 10 + 7 + 7));
        for (Row r : rows) {
            out.printf(Locale.ROOT, fmt, r.section, r.description, figure(r.jfutures, false), figure(r.other, true),
                    quantity(r.value, r.valueUnit), r.op + " " + quantity(r.threshold, r.valueUnit), r.verdict);
        }
        for (String name : failedSections()) {
            out.printf(Locale.ROOT, "%-8s *** could not run: %s%n", name, firstLine(name));
        }
        long failed = count(FAIL);
        long skipped = count(SKIP);
        String skip = skipped == 0 ? "" : " (" + skipped + " skipped: not measured, or a --quick run)";
        out.println(failed == 0 ? "all targets met" + skip : "*** " + failed + " target(s) FAILED ***" + skip);
        boolean anyNote = rows.stream().anyMatch(r -> !r.note.isEmpty());
        if (anyNote) {
            out.println();
            for (Row r : rows) {
                if (!r.note.isEmpty()) {
                    out.printf(Locale.ROOT, "  %s %s: %s%n", r.section, r.id, r.note);
                }
            }
        }
        if (!checks.isEmpty()) {
            out.println();
            out.println("checks:");
            for (Check c : checks) {
                out.printf(Locale.ROOT, c.ok() ? "  ok        %s: %s%n" : "  MISMATCH  *** %s: %s ***%n",
                        c.section(), c.detail());
            }
        }
        if (!notes.isEmpty()) {
            out.println();
            out.println("notes:");
            for (String n : notes) {
                out.println("  - " + n);
            }
        }
        out.flush();
    }

    private static String figure(Figure f, boolean withLabel) {
        if (f == null) {
            return "";
        }
        String v = quantity(f.median(), f.unit());
        return withLabel ? f.label() + " " + v : v;
    }

    /** A figure with its unit: {@code 1.19x}, {@code 29.2 us}, {@code 7,122,167 tasks/s}. */
    static String quantity(double v, String unit) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return number(v, unit);
        }
        return unit.equals("x") ? number(v, unit) + "x" : unit.isEmpty() ? number(v, unit) : number(v, unit) + " " + unit;
    }

    /** A figure for the table: grouped thousands for rates, fewer decimals as it grows. */
    static String number(double v, String unit) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Double.isInfinite(v)) {
            return "failed";
        }
        if (unit.endsWith("/s")) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        String digits = Math.abs(v) >= 100 ? "%,.0f" : Math.abs(v) >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, digits, v);
    }

    // ------------------------------------------------------------------ JSON

    List<Object> rowsJson() {
        List<Object> l = new ArrayList<>();
        rows.forEach(r -> l.add(r.json()));
        return l;
    }

    List<Object> checksJson() {
        List<Object> l = new ArrayList<>();
        checks.forEach(c -> l.add(c.json()));
        return l;
    }
}
