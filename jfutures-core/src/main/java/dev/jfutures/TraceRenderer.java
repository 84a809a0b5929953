package dev.jfutures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Draws a Chrome trace-event file (what {@link TraceRecorder} writes, and what other tools write
 * in the same format) as an SVG picture: a row per track (a worker) grouped under its process (an
 * executor), a bar per slice (a task) from its start to its end, colored by its outcome, a mark
 * per instant event (a worker's death, a recycle, a steal), a time axis, and a line that counts
 * it all. Every bar and mark has a tooltip ({@code <title>}) with its name and times.
 *
 * <pre>{@code
 * TraceRenderer.render(Path.of("run.trace.json"), Path.of("run.svg"));
 * }</pre>
 *
 * <p>It reads the object form ({@code {"traceEvents": [...]}}) and the bare array form; complete
 * events ({@code ph} X), begin and end pairs (B, E, matched per track), instants (i, I) and the
 * process and thread names (M); other phases are skipped. Slices too narrow to see (under half a
 * pixel) that touch on a row are drawn as one bar whose tooltip says how many it holds, so a run
 * of 200,000 tasks gives a picture of a few megabytes, not one of a rectangle per task.
 *
 * @since 0.1
 */
public final class TraceRenderer {

    private static final int WIDTH = 1200;
    private static final int LABEL_WIDTH = 190;
    private static final int RIGHT_MARGIN = 20;
    private static final int TOP = 64;
    private static final int ROW = 16;
    private static final int BAR = 12;
    private static final int HEADING = 18;
    /** Slices narrower than this (px) merge with a neighbour that touches them. */
    private static final double NARROW = 0.5;

    private static final String SUCCEEDED = "#4c9f70";
    private static final String FAILED = "#d1495b";
    private static final String CANCELLED = "#9e9e9e";

    private TraceRenderer() {
    }

    /** A row: one (pid, tid) pair. */
    private static final class Track {
        final String pid;
        final String tid;
        String name;
        final List<Slice> slices = new ArrayList<>();
        final List<Mark> marks = new ArrayList<>();
        final Deque<Slice> open = new ArrayDeque<>();

        Track(String pid, String tid) {
            this.pid = pid;
            this.tid = tid;
        }
    }

    private record Slice(double ts, double dur, String name, String outcome, double queuedUs) {
    }

    private record Mark(double ts, String name, String detail) {
    }

    /**
     * Reads a trace file and writes its picture. The picture goes to a temporary file beside
     * {@code svg} that then replaces it: a failure leaves no partial picture.
     *
     * @param trace the trace-event JSON file
     * @param svg where the picture goes
     * @throws NullPointerException if either is null
     * @throws IllegalArgumentException if the file is not JSON, or not a trace (naming the file
     *     and, for JSON, the line and column)
     * @throws UncheckedIOException if the trace cannot be read or the picture written
     * @since 0.1
     */
    public static void render(Path trace, Path svg) {
        Objects.requireNonNull(trace, "trace");
        Objects.requireNonNull(svg, "svg");
        String json;
        try {
            json = Files.readString(trace, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trace " + trace + ": " + e.getMessage(), e);
        }
        String picture;
        try {
            picture = toSvg(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(trace + ": " + e.getMessage(), e);
        }
        Path tmp = null;
        try {
            tmp = TraceRecorder.tempBeside(svg);
            Files.writeString(tmp, picture, StandardCharsets.UTF_8);
            Files.move(tmp, svg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the first failure is the one to report
                }
            }
            throw new UncheckedIOException("cannot write the picture " + svg + ": " + e.getMessage()
                    + "; check that its folder exists and is writable", e);
        }
    }

    /**
     * The picture of a trace.
     *
     * @param traceJson the trace-event JSON
     * @return the SVG document
     * @throws NullPointerException if {@code traceJson} is null
     * @throws IllegalArgumentException if it is not JSON (with the line and column), or not a trace
     * @since 0.1
     */
    public static String toSvg(String traceJson) {
        Object root = TraceJson.parse(Objects.requireNonNull(traceJson, "traceJson"));
        List<?> events = events(root);
        Map<String, String> processNames = new HashMap<>();
        Map<String, Track> tracks = new LinkedHashMap<>();
        for (Object o : events) {
            if (!(o instanceof Map)) {
                throw new IllegalArgumentException("not a trace: an event is a JSON object, not " + o);
            }
            Map<?, ?> e = (Map<?, ?>) o;
            String ph = text(e.get("ph"));
            if (ph == null) {
                throw new IllegalArgumentException("not a trace: an event has no \"ph\" (its phase): " + e);
            }
            String pid = id(e.get("pid"));
            String tid = id(e.get("tid"));
            Map<?, ?> args = e.get("args") instanceof Map ? (Map<?, ?>) e.get("args") : Map.of();
            String name = text(e.get("name"));
            switch (ph) {
                case "M" -> {
                    String value = text(args.get("name"));
                    if ("process_name".equals(name) && value != null) {
                        processNames.put(pid, value);
                    } else if ("thread_name".equals(name) && value != null) {
                        track(tracks, pid, tid).name = value;
                    }
                }
                case "X" -> track(tracks, pid, tid).slices.add(new Slice(number(e, "ts"), optional(e.get("dur")),
                        name, text(args.get("outcome")), optional(args.get("queued_us"))));
                case "B" -> track(tracks, pid, tid).open.push(new Slice(number(e, "ts"), 0, name,
                        text(args.get("outcome")), optional(args.get("queued_us"))));
                case "E" -> {
                    Track t = track(tracks, pid, tid);
                    Slice b = t.open.poll();
                    if (b != null) {
                        t.slices.add(new Slice(b.ts(), Math.max(0, number(e, "ts") - b.ts()), b.name(),
                                b.outcome() != null ? b.outcome() : text(args.get("outcome")), b.queuedUs()));
                    }
                }
                case "i", "I" -> {
                    String cause = text(args.get("cause"));
                    double tasks = optional(args.get("tasks"));
                    String detail = cause != null ? cause : tasks > 0 ? (long) tasks + " task(s)" : null;
                    track(tracks, pid, tid).marks.add(new Mark(number(e, "ts"), name, detail));
                }
                default -> {
                    // counters, flows, async events: not drawn
                }
            }
        }
        return draw(processNames, tracks);
    }

    private static List<?> events(Object root) {
        if (root instanceof List) {
            return (List<?>) root;
        }
        if (root instanceof Map && ((Map<?, ?>) root).get("traceEvents") instanceof List) {
            return (List<?>) ((Map<?, ?>) root).get("traceEvents");
        }
        throw new IllegalArgumentException("not a trace: a trace-event file is a JSON array of events, or an object"
                + " whose \"traceEvents\" is one (as TraceRecorder and chrome://tracing write them)");
    }

    private static Track track(Map<String, Track> tracks, String pid, String tid) {
        return tracks.computeIfAbsent(pid + "\u0000" + tid, k -> new Track(pid, tid));
    }

    private static String text(Object o) {
        return o == null ? null : o instanceof Double ? format((Double) o) : o.toString();
    }

    private static String id(Object o) {
        return o == null ? "" : text(o);
    }

    private static String format(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static double number(Map<?, ?> e, String key) {
        Object v = e.get(key);
        if (!(v instanceof Double)) {
            throw new IllegalArgumentException("not a trace: an event of phase " + e.get("ph") + " has no number \""
                    + key + "\": " + e);
        }
        return (Double) v;
    }

    private static double optional(Object v) {
        return v instanceof Double ? (Double) v : 0;
    }

    // ------------------------------------------------------------------ drawing

    private static String draw(Map<String, String> processNames, Map<String, Track> all) {
        List<Track> tracks = new ArrayList<>();
        double t0 = Double.MAX_VALUE;
        double t1 = -Double.MAX_VALUE;
        long tasks = 0;
        long failed = 0;
        long cancelled = 0;
        for (Track t : all.values()) {
            if (t.slices.isEmpty() && t.marks.isEmpty()) {
                continue;   // a name and nothing else
            }
            tracks.add(t);
            for (Slice s : t.slices) {
                t0 = Math.min(t0, s.ts());
                t1 = Math.max(t1, s.ts() + s.dur());
                tasks++;
                if ("FAILED".equals(s.outcome())) {
                    failed++;
                } else if ("CANCELLED".equals(s.outcome())) {
                    cancelled++;
                }
            }
            for (Mark m : t.marks) {
                t0 = Math.min(t0, m.ts());
                t1 = Math.max(t1, m.ts());
            }
        }
        StringBuilder b = new StringBuilder(64 * 1024);
        if (tracks.isEmpty()) {
            b.append(header(WIDTH, 80)).append("<text x=\"20\" y=\"44\" class=\"h\">no events in this trace</text>\n")
                    .append("</svg>\n");
            return b.toString();
        }
        // Processes in order of first appearance, then their tracks in that order.
        Map<String, List<Track>> byProcess = new LinkedHashMap<>();
        for (Track t : tracks) {
            byProcess.computeIfAbsent(t.pid, k -> new ArrayList<>()).add(t);
        }
        int height = TOP + byProcess.size() * HEADING + tracks.size() * ROW + 44;
        double span = Math.max(t1 - t0, 1);
        double plot = WIDTH - LABEL_WIDTH - RIGHT_MARGIN;
        b.append(header(WIDTH, height));
        b.append("<text x=\"10\" y=\"20\" class=\"h\">").append(tasks).append(tasks == 1 ? " slice" : " slices");
        if (failed > 0 || cancelled > 0) {
            b.append(" (").append(failed).append(" failed, ").append(cancelled).append(" cancelled)");
        }
        b.append(" on ").append(tracks.size()).append(tracks.size() == 1 ? " track" : " tracks").append(" over ")
                .append(duration(span)).append("</text>\n");
        axis(b, t0, span, plot, height);
        int y = TOP;
        for (Map.Entry<String, List<Track>> p : byProcess.entrySet()) {
            String pname = processNames.getOrDefault(p.getKey(), "process " + p.getKey());
            b.append("<text x=\"10\" y=\"").append(y + 13).append("\" class=\"p\">").append(escape(pname))
                    .append("</text>\n");
            y += HEADING;
            for (Track t : p.getValue()) {
                row(b, t, y, t0, span, plot);
                y += ROW;
            }
        }
        legend(b, height - 16);
        b.append("</svg>\n");
        return b.toString();
    }

    private static String header(int width, int height) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width
                + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " " + height + "\" font-family=\"sans-serif\""
                + " font-size=\"11\">\n<style>.h{font-size:13px;font-weight:bold}.p{font-weight:bold}"
                + ".l{fill:#333}.t{fill:#666;font-size:10px}</style>\n<rect width=\"100%\" height=\"100%\""
                + " fill=\"white\"/>\n";
    }

    /** Round ticks: 1, 2 or 5 times a power of ten microseconds, at most ten of them. */
    private static void axis(StringBuilder b, double t0, double span, double plot, int height) {
        double raw = span / 10;
        double pow = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw <= pow ? pow : raw <= 2 * pow ? 2 * pow : raw <= 5 * pow ? 5 * pow : 10 * pow;
        for (double t = 0; t <= span + step / 1e6; t += step) {
            double x = LABEL_WIDTH + t / span * plot;
            b.append("<line x1=\"").append(px(x)).append("\" y1=\"").append(TOP - 14).append("\" x2=\"").append(px(x))
                    .append("\" y2=\"").append(height - 30).append("\" stroke=\"#e4e4e4\"/>\n");
            b.append("<text x=\"").append(px(x)).append("\" y=\"").append(TOP - 18)
                    .append("\" class=\"t\" text-anchor=\"middle\">").append(tick(t, step)).append("</text>\n");
        }
    }

    private static void row(StringBuilder b, Track t, int y, double t0, double span, double plot) {
        String label = t.name != null ? t.name : "track " + t.tid;
        b.append("<text x=\"18\" y=\"").append(y + 11).append("\" class=\"l\">").append(escape(label))
                .append("</text>\n");
        t.slices.sort(Comparator.comparingDouble(Slice::ts));
        // A run of narrow slices that touch, of one color, becomes one bar.
        double runX0 = 0;
        double runX1 = -1;
        String runColor = null;
        Slice runFirst = null;
        int runCount = 0;
        double runBusy = 0;
        for (Slice s : t.slices) {
            double x0 = LABEL_WIDTH + (s.ts() - t0) / span * plot;
            double x1 = LABEL_WIDTH + (s.ts() + s.dur() - t0) / span * plot;
            String color = color(s);
            boolean narrow = x1 - x0 < NARROW;
            if (narrow && runCount > 0 && color.equals(runColor) && x0 - runX1 < NARROW) {
                runX1 = Math.max(runX1, x1);
                runCount++;
                runBusy += s.dur();
                continue;
            }
            if (runCount > 0) {
                bar(b, runX0, runX1, y, runColor, runTitle(runFirst, runCount, runBusy));
                runCount = 0;
            }
            if (narrow) {
                runX0 = x0;
                runX1 = x1;
                runColor = color;
                runFirst = s;
                runCount = 1;
                runBusy = s.dur();
            } else {
                bar(b, x0, x1, y, color, title(s));
            }
        }
        if (runCount > 0) {
            bar(b, runX0, runX1, y, runColor, runTitle(runFirst, runCount, runBusy));
        }
        for (Mark m : t.marks) {
            double x = LABEL_WIDTH + (m.ts() - t0) / span * plot;
            String c = switch (m.name() == null ? "" : m.name()) {
                case "DIED" -> FAILED;
                case "STOLEN_FROM" -> "#e8a33d";
                case "RECYCLED" -> "#3c78d8";
                default -> "#555555";
            };
            b.append("<polygon points=\"").append(px(x - 4)).append(',').append(y).append(' ').append(px(x + 4))
                    .append(',').append(y).append(' ').append(px(x)).append(',').append(y + 7).append("\" fill=\"")
                    .append(c).append("\"><title>").append(escape(m.name() + " at " + duration(m.ts() - t0)
                            + (m.detail() != null ? ": " + m.detail() : ""))).append("</title></polygon>\n");
        }
    }

    private static String runTitle(Slice first, int count, double busy) {
        return count == 1 ? title(first)
                : count + " slices, too short to draw one by one: " + duration(busy) + " in all";
    }

    private static void bar(StringBuilder b, double x0, double x1, int y, String color, String title) {
        double w = Math.max(x1 - x0, NARROW);
        b.append("<rect x=\"").append(px(x0)).append("\" y=\"").append(y + (ROW - BAR) / 2).append("\" width=\"")
                .append(px(w)).append("\" height=\"").append(BAR).append("\" fill=\"").append(color)
                .append("\"><title>").append(escape(title)).append("</title></rect>\n");
    }

    private static String title(Slice s) {
        return (s.name() != null ? s.name() : "slice") + ": " + duration(s.dur())
                + (s.outcome() != null ? ", " + s.outcome() : "")
                + (s.queuedUs() > 0 ? ", queued " + duration(s.queuedUs()) : "");
    }

    private static String color(Slice s) {
        if (s.outcome() != null) {
            switch (s.outcome()) {
                case "SUCCEEDED":
                    return SUCCEEDED;
                case "FAILED":
                    return FAILED;
                case "CANCELLED":
                    return CANCELLED;
                default:
                    break;
            }
        }
        // Another tool's slices: a color of their name, so that like slices look alike.
        int h = Math.floorMod(Objects.hashCode(s.name()), 360);
        return "hsl(" + h + ",45%,55%)";
    }

    private static void legend(StringBuilder b, int y) {
        String[][] items = {{SUCCEEDED, "succeeded"}, {FAILED, "failed"}, {CANCELLED, "cancelled"}};
        int x = LABEL_WIDTH;
        for (String[] it : items) {
            b.append("<rect x=\"").append(x).append("\" y=\"").append(y - 9).append("\" width=\"10\" height=\"10\""
                    + " fill=\"").append(it[0]).append("\"/><text x=\"").append(x + 14).append("\" y=\"").append(y)
                    .append("\" class=\"l\">").append(it[1]).append("</text>\n");
            x += 90;
        }
        String[][] marks = {{FAILED, "worker died"}, {"#3c78d8", "recycled"}, {"#e8a33d", "tasks stolen"},
            {"#555555", "started / stopped"}};
        for (String[] m : marks) {
            b.append("<polygon points=\"").append(x).append(',').append(y - 9).append(' ').append(x + 8).append(',')
                    .append(y - 9).append(' ').append(x + 4).append(',').append(y - 2).append("\" fill=\"").append(m[0])
                    .append("\"/><text x=\"").append(x + 12).append("\" y=\"").append(y).append("\" class=\"l\">")
                    .append(m[1]).append("</text>\n");
            x += 120;
        }
    }

    private static String px(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A tick's label: the unit its step is counted in. */
    private static String tick(double us, double step) {
        if (step >= 1_000_000) {
            return trim(us / 1_000_000) + " s";
        }
        if (step >= 1000) {
            return trim(us / 1000) + " ms";
        }
        return trim(us) + " µs";
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** A duration in microseconds as a person reads it. */
    private static String duration(double us) {
        if (us >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2f s", us / 1_000_000);
        }
        if (us >= 1000) {
            return String.format(Locale.ROOT, "%.1f ms", us / 1000);
        }
        return String.format(Locale.ROOT, "%.0f µs", us);
    }

    private static String escape(String s) {
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
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        b.append(' ');   // not allowed in XML 1.0
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
