package io.github.sensecapexporter.bench;

import io.github.sensecapexporter.ingest.MessageHandler;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.store.SeriesStore;
import io.prometheus.client.CollectorRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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

/**
 * Everything the exporter does with one message once Paho hands it over: count it, parse topic and
 * body, update the store. Cycles through {@code series} topics that are already stored.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = "-Xmx4g")
@State(Scope.Benchmark)
public class HandlerBenchmark {
  @Param({"1000", "100000"})
  int series;

  private MessageHandler handler;
  private String[] topics;
  private byte[][] bodies;
  private int next;

  @Setup
  public void fill() {
    SeriesStore store = new SeriesStore(Clock.systemUTC(), Duration.ofHours(26), series);
    handler =
        new MessageHandler(
            store,
            new ExporterMetrics(new CollectorRegistry(), "bench", "unknown", "unknown"),
            Clock.systemUTC(),
            List.of("/device_sensor_data/521853156991/+/+/+/+"));
    topics = new String[series];
    bodies = new byte[series][];
    long timestamp = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
    for (int i = 0; i < series; i++) {
      topics[i] = BenchMessages.topic(i);
      // A timestamp equal to the one held is accepted: every call takes the storing path.
      bodies[i] = BenchMessages.body(i, timestamp);
      handler.handle(topics[i], bodies[i]);
    }
  }

  @Benchmark
  public void handle() {
    int i = next;
    next = i + 1 == series ? 0 : i + 1;
    handler.handle(topics[i], bodies[i]);
  }
}
