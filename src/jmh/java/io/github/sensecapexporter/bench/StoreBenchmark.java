package io.github.sensecapexporter.bench;

import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.SeriesKey;
import io.github.sensecapexporter.store.SeriesStore;
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

/** Updating an existing series in a store that holds {@code series} of them. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = "-Xmx4g")
@State(Scope.Benchmark)
public class StoreBenchmark {
  @Param({"1000", "100000", "1000000"})
  int series;

  private SeriesStore store;
  private SeriesKey[] keys;
  private int next;
  private long timestamp;

  @Setup
  public void fill() {
    store = new SeriesStore(Clock.systemUTC(), Duration.ofHours(26), series);
    keys = new SeriesKey[series];
    for (int i = 0; i < series; i++) {
      keys[i] = Fixtures.key(i);
      store.update(keys[i], i, 0);
    }
  }

  @Benchmark
  public SeriesStore.Outcome update() {
    int i = next;
    next = i + 1 == series ? 0 : i + 1;
    return store.update(keys[i], i, ++timestamp);
  }

  /** Keys for the benchmarks: 12 measurements per device, as a SenseCAP fleet has. */
  static final class Fixtures {
    private Fixtures() {}

    static SeriesKey key(int i) {
      return new SeriesKey(
          Topic.Kind.MEASUREMENT,
          String.format("2CF7F1C0%08X", i / 12),
          "1",
          "vs",
          Integer.toString(4097 + i % 12));
    }
  }
}
