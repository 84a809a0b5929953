package dev.jfutures.bench.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The SVG chart of {@code jfutures bench --chart}: one horizontal bar per target, drawn from the
 * target line outwards on a log scale. The bar's length is how far past its target the figure is
 * (figure / limit for a "&gt;=" target, limit / figure for a "&lt;=" one): right of the line and
 * green passes, left and red fails; a target not measured has an empty bar. Each row is labelled
 * with the figure, the limit and the verdict. Hand-written SVG 1.1, no dependency.
 */
final class BenchChart {

    private static final int WIDTH = 1130;
    /** The section's name starts here, the target's description at DESCRIPTION, the plot at LABELS. */
    private static final int DESCRIPTION = 92;
    private static final int LABELS = 560;
    private static final int PLOT = 350;
    /** Longer descriptions are cut (the full text is in the row's tooltip). */
    private static final int DESCRIPTION_CHARS = 70;
    private static final int ROW = 26;
    private static final int TOP = 64;
    private static final int BOTTOM = 46;
    private static final String PASS_FILL = "#2e8b57";
    private static final String FAIL_FILL = "#c0392b";

    private BenchChart() {
    }

    /**
     * The chart of {@code rows}, titled; {@code footnotes} (a section that could not run, say) are
     * printed under the axis, one line each.
     */
    static String svg(List<BenchReport.Row> rows, String title, String subtitle, List<String> footnotes) {
        double lo = 0.25;
        double hi = 4;
        for (BenchReport.Row r : rows) {
            double h = r.headroom();
            if (!Double.isNaN(h) && !Double.isInfinite(h) && h > 0) {
                lo = Math.min(lo, h / 1.3);
                hi = Math.max(hi, h * 1.3);
            }
        }
        lo = Math.max(lo, 1e-3);
        hi = Math.min(hi, 1e4);
        Scale x = new Scale(lo, hi, LABELS, LABELS + PLOT);
        int height = TOP + rows.size() * ROW + BOTTOM + 18 * footnotes.size();

        StringBuilder s = new StringBuilder();
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Verdana, sans-serif\" "
                + "font-size=\"12\">%n", WIDTH, height, WIDTH, height));
        s.append("  <title>").append(escape(title)).append("</title>\n");
        s.append(String.format(Locale.ROOT, "  <rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n",
                WIDTH, height));
        s.append(text(10, 22, "start", "font-size=\"16\" font-weight=\"bold\"", title));
        s.append(text(10, 42, "start", "fill=\"#555555\"", subtitle));

        // Grid: 1-2-5 steps on the log scale, the target line at 1.
        int gridTop = TOP - 6;
        int gridBottom = TOP + rows.size() * ROW;
        for (double t : ticks(lo, hi)) {
            double px = x.of(t);
            boolean target = t == 1;
            s.append(String.format(Locale.ROOT, "  <line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"%s\"/>%n", px, gridTop, px, gridBottom, target ? "#000000" : "#dddddd",
                    target ? "1.5" : "1"));
            s.append(text(px, gridBottom + 16, "middle", "fill=\"#555555\"", target ? "target" : tick(t)));
        }
        s.append(text(LABELS + PLOT / 2.0, gridBottom + 34, "middle", "fill=\"#555555\"",
                "how far past the target (log scale): figure / limit for >=, limit / figure for <="));

        double base = x.of(1);
        for (int i = 0; i < rows.size(); i++) {
            BenchReport.Row r = rows.get(i);
            int y = TOP + i * ROW;
            String label = r.description;
            s.append("  <g>\n    <title>").append(escape(r.section + " " + r.id + ": " + r.description
                    + (r.note.isEmpty() ? "" : " (" + r.note + ")"))).append("</title>\n");
            s.append("  ").append(text(10, y + 17, "start", "font-weight=\"bold\"", r.section));
            s.append("  ").append(text(DESCRIPTION, y + 17, "start", "", label.length() > DESCRIPTION_CHARS
                    ? label.substring(0, DESCRIPTION_CHARS - 1) + "\u2026" : label));
            double h = r.headroom();
            String cls;
            double x0;
            double x1;
            if (Double.isNaN(h)) {
                cls = "bar skip";
                x0 = base;
                x1 = base;
            } else {
                double end = Double.isInfinite(h) || h <= 0 ? lo : Math.max(lo, Math.min(hi, h));
                double px = x.of(end);
                cls = r.verdict.equals(BenchReport.PASS) ? "bar pass"
                        : r.verdict.equals(BenchReport.SKIP) ? "bar skip" : "bar fail";
                x0 = Math.min(base, px);
                x1 = Math.max(base, px);
            }
            String fill = cls.endsWith("pass") ? PASS_FILL : cls.endsWith("fail") ? FAIL_FILL : "#999999";
            s.append(String.format(Locale.ROOT, "    <rect class=\"%s\" data-id=\"%s\" x=\"%.1f\" y=\"%d\" "
                    + "width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", cls, escape(r.section + "/" + r.id), x0, y + 5,
                    x1 - x0, ROW - 10, fill));
            String value = BenchReport.quantity(r.value, r.valueUnit) + " (" + r.op + " "
                    + BenchReport.quantity(r.threshold, r.valueUnit) + ")  " + r.verdict;
            if (Double.isNaN(h)) {
                value = "not measured  SKIP";
            }
            s.append("  ").append(text(LABELS + PLOT + 10, y + 17, "start", "font-weight=\"bold\" fill=\"" + fill
                    + "\"", value));
            s.append("  </g>\n");
        }
        for (int i = 0; i < footnotes.size(); i++) {
            s.append(text(10, gridBottom + BOTTOM + 12 + 18 * i, "start", "fill=\"" + FAIL_FILL + "\"",
                    footnotes.get(i)));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    /** A log scale from [lo, hi] to [left, right] pixels. */
    private record Scale(double lo, double hi, double left, double right) {
        double of(double v) {
            return left + (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) * (right - left);
        }
    }

    /** 1, 2, 5 times powers of ten within [lo, hi]; fewer when the range is wide. */
    static List<Double> ticks(double lo, double hi) {
        double[] steps = Math.log10(hi / lo) > 3 ? new double[] {1} : new double[] {1, 2, 5};
        List<Double> t = new ArrayList<>();
        for (int e = (int) Math.floor(Math.log10(lo)); e <= (int) Math.ceil(Math.log10(hi)); e++) {
            for (double m : steps) {
                double v = m * Math.pow(10, e);
                v = Double.parseDouble(String.format(Locale.ROOT, "%.6g", v));
                if (v >= lo && v <= hi) {
                    t.add(v);
                }
            }
        }
        return t;
    }

    private static String tick(double t) {
        return (t >= 1 ? String.format(Locale.ROOT, "%.0f", t) : String.format(Locale.ROOT, "%s", t)) + "x";
    }

    private static String text(double x, double y, String anchor, String attributes, String content) {
        return String.format(Locale.ROOT, "  <text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>%n", x, y,
                anchor, attributes.isEmpty() ? "" : " " + attributes, escape(content));
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        b.append('?');   // not allowed in XML 1.0
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
