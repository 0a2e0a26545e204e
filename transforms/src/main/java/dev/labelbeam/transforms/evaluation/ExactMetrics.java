package dev.labelbeam.transforms.evaluation;

import dev.labelbeam.shard.LabelBits;
import java.util.List;

/**
 * Computes a {@link MultiLabelReport} exactly from all scored examples (memory O(examples ×
 * classes): for validation sets that fit in memory).
 */
public final class ExactMetrics {
  private ExactMetrics() {}

  public static MultiLabelReport compute(List<ScoredExample> examples, int numClasses, double threshold) {
    int n = examples.size();
    MultiLabelReport r = new MultiLabelReport();
    r.numExamples = n;
    r.numClasses = numClasses;
    r.threshold = threshold;
    float[] scores = new float[n];
    boolean[] labels = new boolean[n];
    float[] allScores = new float[n * numClasses];
    boolean[] allLabels = new boolean[n * numClasses];
    Confusion total = new Confusion(0, 0, 0, 0);
    double sumP = 0;
    double sumR = 0;
    double sumF = 0;
    double sumAuc = 0;
    int aucClasses = 0;
    for (int c = 0; c < numClasses; c++) {
      for (int i = 0; i < n; i++) {
        ScoredExample e = examples.get(i);
        if (e.scores.length != numClasses) {
          throw new IllegalArgumentException("example " + e.id + " has " + e.scores.length + " scores, expected " + numClasses);
        }
        scores[i] = e.scores[c];
        labels[i] = LabelBits.get(e.labelBits, c);
        allScores[i * numClasses + c] = scores[i];
        allLabels[i * numClasses + c] = labels[i];
      }
      Confusion cm = BinaryMetrics.confusion(scores, labels, threshold);
      total = total.plus(cm);
      MultiLabelReport.ClassMetrics m = new MultiLabelReport.ClassMetrics();
      m.index = c;
      m.support = cm.support();
      m.tp = cm.tp;
      m.fp = cm.fp;
      m.fn = cm.fn;
      m.tn = cm.tn;
      m.precision = cm.precision();
      m.recall = cm.recall();
      m.f1 = cm.f1();
      double auc = BinaryMetrics.rocAuc(scores, labels);
      if (Double.isNaN(auc)) {
        m.aucUndefinedReason = cm.support() == 0 ? "no positives" : "no negatives";
      } else {
        m.auc = auc;
        sumAuc += auc;
        aucClasses++;
      }
      sumP += m.precision;
      sumR += m.recall;
      sumF += m.f1;
      r.perClass.add(m);
    }
    r.macro.precision = sumP / numClasses;
    r.macro.recall = sumR / numClasses;
    r.macro.f1 = sumF / numClasses;
    r.macro.auc = aucClasses == 0 ? null : sumAuc / aucClasses;
    r.macro.aucClasses = aucClasses;
    r.micro.precision = total.precision();
    r.micro.recall = total.recall();
    r.micro.f1 = total.f1();
    double microAuc = BinaryMetrics.rocAuc(allScores, allLabels);
    r.micro.auc = Double.isNaN(microAuc) ? null : microAuc;
    r.micro.aucClasses = numClasses;
    return r;
  }
}
