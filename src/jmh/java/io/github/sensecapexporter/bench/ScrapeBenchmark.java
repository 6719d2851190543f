package io.github.sensecapexporter.bench;

import io.github.sensecapexporter.collector.MeasurementCatalogue;
import io.github.sensecapexporter.collector.SenseCapCollector;
import io.github.sensecapexporter.store.SeriesStore;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.Writer;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** One scrape of {@code series} measurements rendered as the text format, as /metrics does. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = "-Xmx4g")
@State(Scope.Benchmark)
public class ScrapeBenchmark {
  @Param({"1000", "100000", "1000000"})
  int series;

  private CollectorRegistry registry;

  @Setup
  public void fill() {
    SeriesStore store = new SeriesStore(Clock.systemUTC(), Duration.ofHours(26), series);
    for (int i = 0; i < series; i++) {
      store.update(StoreBenchmark.Fixtures.key(i), i * 0.5, 1_759_186_369_000L + i);
    }
    registry = new CollectorRegistry();
    new SenseCapCollector(store, MeasurementCatalogue.bundled()).register(registry);
  }

  /** Returns the bytes written, so that the rendering cannot be optimised away. */
  @Benchmark
  public long scrape() throws IOException {
    CountingWriter out = new CountingWriter();
    TextFormat.write004(out, registry.metricFamilySamples());
    return out.count;
  }

  private static final class CountingWriter extends Writer {
    long count;

    @Override
    public void write(char[] buffer, int offset, int length) {
      count += length;
    }

    @Override
    public void write(String text, int offset, int length) {
      count += length;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
