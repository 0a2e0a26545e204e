package dev.labelbeam.metrics.report;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.labelbeam.metrics.MultiLabelReport;
import java.util.List;
import java.util.Locale;

/**
 * The class search box of {@code report.html}: every class's row as compact JSON in a non-executed
 * {@code <script type="application/json">} block and a few lines of plain JavaScript that list the
 * classes whose name contains what is typed (case-insensitive, at most {@value #MAX_SHOWN} rows). At
 * 11,000 classes the tables of best and worst classes show 20 of them; the box reaches the rest without
 * opening {@code per_class.csv}. No network: the page stays self-contained. Names are inserted as text
 * nodes, never as HTML, so a label cannot inject markup.
 */
final class ClassSearch {
  /** Rows shown at most for one query. */
  static final int MAX_SHOWN = 200;

  private static final String SCRIPT = String.join("\n",
      "(function(){",
      "var d=JSON.parse(document.getElementById('lb-classes').textContent);",
      "var q=document.getElementById('lb-q'),t=document.getElementById('lb-found'),n=document.getElementById('lb-count');",
      "var heads=['class','support','precision','recall','F1','AUC','AP','threshold','tuned threshold','tuned F1'];",
      "function cell(tr,tag,v,left){var c=document.createElement(tag);c.textContent=v;if(left)c.className='l';tr.appendChild(c);}",
      "function num(v){return v===null?'n/a':String(v);}",
      "function show(){var s=q.value.trim().toLowerCase();t.textContent='';",
      " if(!s){n.textContent='';return;}",
      " var hits=0,tr=document.createElement('tr');heads.forEach(function(h,i){cell(tr,'th',h,i===0);});t.appendChild(tr);",
      " for(var i=0;i<d.length;i++){if(d[i][0].toLowerCase().indexOf(s)<0)continue;hits++;",
      "  if(hits>" + MAX_SHOWN + ")continue;tr=document.createElement('tr');",
      "  for(var k=0;k<d[i].length;k++){cell(tr,'td',k===0?d[i][0]:num(d[i][k]),k===0);}t.appendChild(tr);}",
      " n.textContent=hits+' of '+d.length+' classes match'+(hits>" + MAX_SHOWN + "?' (first " + MAX_SHOWN + " shown)':'');}",
      "q.addEventListener('input',show);show();",
      "})();");

  private ClassSearch() {}

  /** Appends the heading, the box, the data and the script. */
  static void append(StringBuilder h, List<MultiLabelReport.ClassMetrics> classes) {
    h.append("<h2>Find a class</h2>\n<p><input id=lb-q type=search size=40 placeholder=\"part of a class name\"> ")
        .append("<span id=lb-count class=note></span></p>\n<table id=lb-found></table>\n")
        .append("<script type=\"application/json\" id=lb-classes>").append(json(classes)).append("</script>\n")
        .append("<script>\n").append(SCRIPT).append("\n</script>\n");
  }

  /**
   * The rows as a JSON array of arrays: name, support, precision, recall, F1, AUC, AP, the threshold
   * applied, the tuned threshold and the tuned F1; {@code <} escaped so that no name ends the block.
   */
  static String json(List<MultiLabelReport.ClassMetrics> classes) {
    StringBuilder j = new StringBuilder(classes.size() * 64).append('[');
    JsonStringEncoder enc = JsonStringEncoder.getInstance();
    for (MultiLabelReport.ClassMetrics m : classes) {
      if (j.length() > 1) {
        j.append(",\n");
      }
      j.append("[\"").append(new String(enc.quoteAsString(m.name())).replace("<", "\\u003c")).append('"')
          .append(',').append(m.support());
      for (Double v : new Double[] {m.precision(), m.recall(), m.f1(), m.auc(), m.ap(), m.threshold(),
          m.tunedThreshold(), m.tunedF1()}) {
        j.append(',').append(v == null || !Double.isFinite(v) ? "null" : String.format(Locale.ROOT, "%.4g", v));
      }
      j.append(']');
    }
    return j.append(']').toString();
  }
}
