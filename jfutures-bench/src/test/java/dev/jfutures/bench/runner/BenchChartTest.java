package dev.jfutures.bench.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The SVG chart: valid XML whatever the text, one bar per row. */
class BenchChartTest {

    /** The chart escapes text, and draws an empty bar for a target not measured. */
    @Test
    void theChartIsValidXmlWithABarPerRowWhateverTheText() throws Exception {
        List<BenchReport.Row> rows = List.of(
                new BenchReport.Row("x", "pass", "a <tricky> & \"quoted\" 'name'", ">=", 2).measured(8),
                new BenchReport.Row("x", "fail", "failing", "<=", 1.5).measured(3),
                new BenchReport.Row("x", "skip", "not measured", ">=", 20).skipped("no tool"),
                new BenchReport.Row("x", "inf", "failed outright", "<", 256).measured(Double.POSITIVE_INFINITY));
        String svg = BenchChart.svg(rows, "t & t", "sub <title>", List.of("*** core could not run: <why>"));
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        List<Element> bars = bars(d);
        assertThat(bars).extracting(e -> e.getAttribute("class"))
                .containsExactly("bar pass", "bar fail", "bar skip", "bar fail");
        assertThat(Double.parseDouble(bars.get(2).getAttribute("width"))).isZero();
        assertThat(Double.parseDouble(bars.get(0).getAttribute("width"))).isPositive();
        assertThat(BenchChart.ticks(0.25, 4)).containsExactly(0.5, 1.0, 2.0);
    }

    private static List<Element> bars(Document d) {
        List<Element> bars = new ArrayList<>();
        NodeList rects = d.getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (e.getAttribute("class").startsWith("bar")) {
                bars.add(e);
            }
        }
        return bars;
    }
}
