package dev.labelbeam.metrics.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labelbeam.metrics.MetricsAccumulator;
import dev.labelbeam.metrics.MetricsOptions;
import dev.labelbeam.metrics.MultiLabelReport;
import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.LabelBits;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code report.html} at 11,000 classes: bounded size, best/worst tables, and a class search box whose
 * data holds every class (read back here as the page's script reads it) and whose names cannot inject
 * markup.
 */
class HtmlReportAtScaleTest {
  @Test
  void elevenThousandClassesStayFindableAndTheFileStaysSmall() throws Exception {
    int classes = 11_000;
    MultiLabelReport r = report(classes, 300);
    List<String> names = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      names.add(c == 7 ? "evil</script><img src=x onerror=alert(1)>" : String.format("class_%05d", c));
    }
    r = r.withLabels(names);
    long t = System.nanoTime();
    String html = HtmlReport.render(r, "at scale");
    double seconds = (System.nanoTime() - t) / 1e9;
    System.out.printf("report.html at %d classes: %d bytes, rendered in %.2f s%n", classes, html.length(), seconds);
    assertTrue(html.length() < 2_500_000, "report.html is " + html.length() + " bytes");
    assertFalse(html.contains("http://") || html.contains("https://") || html.contains("src=\"http"), "must open offline");
    assertEquals(2, html.split("<script", -1).length - 1, "the data block and the search script, no more");
    assertFalse(html.contains("evil</script>"), "a label must not end the data block");

    String data = html.substring(html.indexOf("id=lb-classes>") + "id=lb-classes>".length());
    data = data.substring(0, data.indexOf("</script>"));
    JsonNode rows = new ObjectMapper().readTree(data);
    assertEquals(classes, rows.size());
    assertEquals("evil</script><img src=x onerror=alert(1)>", rows.get(7).get(0).asText(), "the name comes back as text");
    MultiLabelReport.ClassMetrics m = r.perClass().get(4242);
    JsonNode row = rows.get(4242);
    assertEquals("class_04242", row.get(0).asText());
    assertEquals(m.support(), row.get(1).asLong());
    assertEquals(m.f1(), row.get(4).asDouble(), 1e-3);
    assertEquals(m.auc() == null, row.get(5).isNull());
    if (m.auc() != null) {
      assertEquals(m.auc(), row.get(5).asDouble(), 1e-3);
    }
    assertTrue(html.contains("textContent"), "rows are text nodes, not HTML");
  }

  private static MultiLabelReport report(int classes, int examples) {
    MetricsAccumulator acc = MetricsOptions.defaults().newAccumulator(classes);
    Random rnd = new Random(17);
    for (int i = 0; i < examples; i++) {
      boolean[] truth = new boolean[classes];
      float[] scores = new float[classes];
      for (int k = 0; k < classes; k++) {
        truth[k] = rnd.nextInt(50) == 0;
        scores[k] = (float) Math.min(1, Math.max(0, (truth[k] ? 0.6 : 0.4) + rnd.nextGaussian() * 0.2));
      }
      acc.add(new ScoredExample("id" + i, LabelBits.packDense(truth), scores));
    }
    return MetricsOptions.defaults().report(acc);
  }
}
