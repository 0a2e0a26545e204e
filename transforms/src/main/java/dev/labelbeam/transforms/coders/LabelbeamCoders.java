package dev.labelbeam.transforms.coders;

import dev.labelbeam.metrics.ScoredExample;
import dev.labelbeam.shard.DatasetInfo;
import dev.labelbeam.shard.ImageRecord;
import dev.labelbeam.shard.LabelVocabulary;
import dev.labelbeam.transforms.errors.DeadLetter;
import dev.labelbeam.transforms.errors.DeadLetterCoder;
import dev.labelbeam.transforms.evaluation.ScoredExampleCoder;
import dev.labelbeam.transforms.manifest.ManifestEntry;
import dev.labelbeam.transforms.manifest.ManifestEntryCoder;
import dev.labelbeam.transforms.shards.ImageRecordCoder;
import java.util.List;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviderRegistrar;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Registers the default coders of labelbeam's element types with every pipeline (found by Beam
 * through {@code META-INF/services}), so that a pipeline author composing our transforms, or
 * calling {@code Create.of(vocabulary)}, needs no {@code setCoder}: {@link ManifestEntry},
 * {@link ImageRecord}, {@link DeadLetter}, {@link LabelVocabulary}, {@link DatasetInfo} and
 * {@link ScoredExample}, {@code MultiLabelReport} and {@code ShardDigest}, each with a compact coder
 * rather than Java serialization.
 */
public final class LabelbeamCoders implements CoderProviderRegistrar {
  @Override
  public List<CoderProvider> getCoderProviders() {
    return List.of(
        CoderProviders.forCoder(TypeDescriptor.of(ManifestEntry.class), ManifestEntryCoder.of()),
        CoderProviders.forCoder(TypeDescriptor.of(ImageRecord.class), ImageRecordCoder.of()),
        CoderProviders.forCoder(TypeDescriptor.of(DeadLetter.class), DeadLetterCoder.of()),
        CoderProviders.forCoder(TypeDescriptor.of(LabelVocabulary.class), LabelVocabularyCoder.of()),
        CoderProviders.forCoder(TypeDescriptor.of(DatasetInfo.class), JsonCoders.datasetInfo()),
        CoderProviders.forCoder(TypeDescriptor.of(ScoredExample.class), ScoredExampleCoder.of()),
        CoderProviders.forCoder(TypeDescriptor.of(dev.labelbeam.metrics.MultiLabelReport.class), JsonCoders.report()),
        CoderProviders.forCoder(TypeDescriptor.of(dev.labelbeam.shard.ShardDigest.class), ShardDigestCoder.of()));
  }
}
