package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * TraceRenderer: what a real TraceRecorder wrote becomes a well-formed SVG with a row per worker
 * and a bar per task; the other shapes of trace-event files (the bare array, B/E pairs, instants);
 * narrow slices merged; clear errors for a file that is not JSON or not a trace; no partial file.
 * Also that TraceRecorder's output is valid trace-event JSON: each event has its phase and an X
 * slice its name, ts, dur, pid and tid.
 */
class TraceRendererTest {

    @TempDir
    Path dir;

    private static Document xml(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> all(Document d, String tag) {
        NodeList nodes = d.getElementsByTagName(tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    /** The task bars: the rects with a tooltip. */
    private static List<Element> bars(Document d) {
        return all(d, "rect").stream().filter(r -> r.getElementsByTagName("title").getLength() == 1).toList();
    }

    private static List<String> texts(Document d) {
        return all(d, "text").stream().map(Element::getTextContent).toList();
    }

    /** A real run: a 3-thread pool's 30 tasks, one failing, one cancelled while queued. */
    private Path recordedRun() throws Exception {
        Path file = dir.resolve("run.trace.json");
        try (TraceRecorder trace = TraceRecorder.to(file)) {
            try (ThreadPool p = ThreadPool.builder().workers(3).threadNamePrefix("render").build()) {
                p.addListener(trace);
                java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
                List<TaskFuture<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    fs.add(p.submit(() -> {
                        release.await(60, TimeUnit.SECONDS);
                        return 0;
                    }));
                }
                TaskFuture<Integer> cancelled = p.submit(() -> 1);   // queued behind the three
                assertThat(cancelled.cancel(false)).isTrue();
                for (int i = 0; i < 27; i++) {
                    int x = i;
                    fs.add(p.submit(() -> x == 7 ? Integer.parseInt("seven") : x));
                }
                release.countDown();
                for (TaskFuture<Integer> f : fs) {
                    f.exception(Duration.ofSeconds(60));
                }
            }   // close() returns once the recorder heard every event
        }
        return file;
    }

    /** A bar per task that ran, on a row per worker, the failure red, the workers' marks */
    @Test
    void aRecordedRunIsARowPerWorkerAndABarPerTask() throws Exception {
        Path trace = recordedRun();
        Path svg = dir.resolve("run.svg");
        TraceRenderer.render(trace, svg);
        Document d = xml(Files.readString(svg));
        assertThat(d.getDocumentElement().getTagName()).isEqualTo("svg");
        List<Element> bars = bars(d);
        // 30 ran (the cancelled one never started: no slice); tiny ones may merge into one bar.
        int shown = 0;
        for (Element b : bars) {
            String title = b.getTextContent();
            Matcher m = Pattern.compile("^(\\d+) slices, too short").matcher(title);
            shown += m.find() ? Integer.parseInt(m.group(1)) : 1;
        }
        assertThat(shown).as("tasks drawn").isEqualTo(30);
        assertThat(bars).filteredOn(b -> b.getAttribute("fill").equals("#d1495b")).hasSize(1);
        assertThat(bars).filteredOn(b -> b.getAttribute("fill").equals("#d1495b"))
                .allMatch(b -> b.getTextContent().contains("FAILED"));
        List<String> texts = texts(d);
        assertThat(texts).filteredOn(t -> t.startsWith("render_")).hasSize(3);   // the three workers' rows
        assertThat(texts).contains("render (thread)");
        assertThat(texts.get(0)).startsWith("30 slices (1 failed, 0 cancelled) on 3 tracks over ");
        // Each worker's STARTED and STOPPED.
        assertThat(all(d, "polygon")).filteredOn(p -> p.getTextContent().startsWith("STOPPED")).hasSize(3);
    }

    /** TraceRecorder's file is trace-event JSON: phases, and each X slice's name, ts, dur, pid, tid */
    @Test
    void aRecordedTraceIsValidTraceEventJson() throws Exception {
        Object root = TraceJson.parse(Files.readString(recordedRun()));
        assertThat(root).isInstanceOf(Map.class);
        List<?> events = (List<?>) ((Map<?, ?>) root).get("traceEvents");
        assertThat(events).isNotEmpty();
        int slices = 0;
        for (Object o : events) {
            Map<?, ?> e = (Map<?, ?>) o;
            assertThat(e.get("ph")).as("phase of %s", e).isIn("X", "i", "M");
            assertThat(e.get("pid")).as("pid of %s", e).isInstanceOf(Double.class);
            if ("X".equals(e.get("ph"))) {
                slices++;
                assertThat(e.get("name")).isInstanceOf(String.class);
                assertThat(e.get("tid")).isInstanceOf(Double.class);
                assertThat((Double) e.get("ts")).isNotNegative();
                assertThat((Double) e.get("dur")).isPositive();
            }
        }
        assertThat(slices).isEqualTo(30);
    }

    /** The bare array form, B/E pairs matched per track, instants, and another tool's colors */
    @Test
    void theOtherShapesOfATrace() throws Exception {
        String json = "[{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":7,\"args\":{\"name\":\"io <&>\"}},"
                + "{\"ph\":\"B\",\"name\":\"outer\",\"pid\":1,\"tid\":7,\"ts\":0},"
                + "{\"ph\":\"B\",\"name\":\"inner\",\"pid\":1,\"tid\":7,\"ts\":100},"
                + "{\"ph\":\"E\",\"pid\":1,\"tid\":7,\"ts\":300},"
                + "{\"ph\":\"E\",\"pid\":1,\"tid\":7,\"ts\":1000},"
                + "{\"ph\":\"i\",\"name\":\"DIED\",\"pid\":1,\"tid\":7,\"ts\":1000,\"s\":\"t\",\"args\":{\"cause\":\"exit 3\"}},"
                + "{\"ph\":\"C\",\"name\":\"counter\",\"pid\":1,\"ts\":5,\"args\":{\"v\":1}}]";
        Document d = xml(TraceRenderer.toSvg(json));
        List<Element> bars = bars(d);
        assertThat(bars).extracting(Element::getTextContent)
                .containsExactlyInAnyOrder("outer: 1.0 ms", "inner: 200 µs");
        assertThat(bars).allMatch(b -> b.getAttribute("fill").startsWith("hsl("));
        assertThat(texts(d)).contains("io <&>", "process 1");
        assertThat(all(d, "polygon")).filteredOn(p -> p.getTextContent().equals("DIED at 1.0 ms: exit 3")).hasSize(1)
                .allMatch(p -> p.getAttribute("fill").equals("#d1495b"));
    }

    /** 200,000 slices too short to see, one after another, are a handful of bars, not 200,000 */
    @Test
    void narrowSlicesThatTouchAreMergedIntoOneBar() throws Exception {
        StringBuilder b = new StringBuilder("{\"traceEvents\":[");
        for (int i = 0; i < 200_000; i++) {
            b.append(i > 0 ? "," : "").append("{\"ph\":\"X\",\"name\":\"task ").append(i)
                    .append("\",\"pid\":1,\"tid\":1,\"ts\":").append(i * 10).append(",\"dur\":9,\"args\":{\"outcome\":\"")
                    .append(i == 100_000 ? "FAILED" : "SUCCEEDED").append("\"}}");
        }
        String svg = TraceRenderer.toSvg(b.append("]}").toString());
        assertThat(svg.length()).as("bytes of the picture").isLessThan(100_000);
        Document d = xml(svg);
        List<Element> bars = bars(d);
        assertThat(bars).hasSizeBetween(3, 10);   // the successes before and after, the failure between
        long total = 0;
        for (Element e : bars) {
            Matcher m = Pattern.compile("^(\\d+) slices").matcher(e.getTextContent());
            total += m.find() ? Long.parseLong(m.group(1)) : 1;
        }
        assertThat(total).isEqualTo(200_000);
        assertThat(bars).filteredOn(e -> e.getAttribute("fill").equals("#d1495b")).hasSize(1);
    }

    /** An empty trace is a picture that says so */
    @Test
    void anEmptyTraceSaysSo() throws Exception {
        Document d = xml(TraceRenderer.toSvg("{\"traceEvents\":[]}"));
        assertThat(texts(d)).containsExactly("no events in this trace");
    }

    /** Not JSON: the error names the file, the line and column, and what was expected */
    @Test
    void malformedJsonIsNamedWithItsPlace() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"traceEvents\":[\n  {\"ph\":\"X\" \"ts\":1}]}");
        assertThatThrownBy(() -> TraceRenderer.render(bad, dir.resolve("bad.svg")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("line 2, column 13")
                .hasMessageContaining("expected ',' or '}'");
        assertThat(dir.resolve("bad.svg")).doesNotExist();
    }

    /** JSON that is not a trace says what a trace must look like */
    @Test
    void jsonThatIsNotATraceSaysWhatATraceIs() {
        assertThatThrownBy(() -> TraceRenderer.toSvg("{\"events\":[]}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"traceEvents\"");
        assertThatThrownBy(() -> TraceRenderer.toSvg("[{\"name\":\"x\"}]")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"ph\"");
        assertThatThrownBy(() -> TraceRenderer.toSvg("[{\"ph\":\"X\",\"name\":\"x\"}]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"ts\"");
    }

    /** A picture that cannot be written leaves nothing, and says which file and what to check */
    @Test
    void aPictureInAMissingFolderFailsAndLeavesNothing() throws Exception {
        Path trace = dir.resolve("t.json");
        Files.writeString(trace, "[]");
        Path svg = dir.resolve("missing/t.svg");
        assertThatThrownBy(() -> TraceRenderer.render(trace, svg)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(svg.toString()).hasMessageContaining("folder");
        assertThat(dir.resolve("missing")).doesNotExist();
        assertThatThrownBy(() -> TraceRenderer.render(dir.resolve("none.json"), dir.resolve("x.svg")))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("none.json");
    }
}
