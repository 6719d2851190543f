package io.github.sensecapexporter.bench;

import io.github.sensecapexporter.collector.MeasurementCatalogue;
import io.github.sensecapexporter.collector.SeriesExposition;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.store.SeriesStore;
import java.io.IOException;
import java.io.OutputStream;
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

/** One scrape of {@code series} measurements written as the text format, as /metrics streams it. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = "-Xmx4g")
@State(Scope.Benchmark)
public class ScrapeBenchmark {
  @Param({"1000", "100000", "1000000"})
  int series;

  private SeriesExposition exposition;

  @Setup
  public void fill() {
    SeriesStore store = new SeriesStore(Clock.systemUTC(), Duration.ofHours(26), series);
    for (int i = 0; i < series; i++) {
      store.update(StoreBenchmark.Fixtures.key(i), i * 0.5, 1_759_186_369_000L + i);
    }
    exposition = new SeriesExposition(store, MeasurementCatalogue.bundled(), () -> Fleet.EMPTY);
  }

  /** Returns the bytes written, so that the rendering cannot be optimised away. */
  @Benchmark
  public long scrape() throws IOException {
    CountingStream out = new CountingStream();
    exposition.writeTo(out);
    return out.count;
  }

  private static final class CountingStream extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) {
      count += length;
    }
  }
}
