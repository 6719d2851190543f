package io.github.sensecapexporter.bench;

import io.github.sensecapexporter.ingest.MessageHandler;
import io.github.sensecapexporter.ingest.ParserHandler;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.store.SeriesStore;
import io.prometheus.client.CollectorRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
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
 * {@link HandlerBenchmark}'s whole message with each body parser of {@link JsonParseBenchmark}:
 * {@code handler} is {@link MessageHandler} itself, the others {@link ParserHandler}, its steps
 * with the parser named ({@code payload} checks that the copy costs what the original does).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = "-Xmx4g")
@State(Scope.Benchmark)
public class JsonHandlerBenchmark {
  @Param({"1000"})
  int series;

  @Param({"handler", "payload", "gsonString", "gsonReused"})
  String parser;

  private BiConsumer<String, byte[]> handle;
  private String[] topics;
  private byte[][] bodies;
  private int next;

  @Setup
  public void fill() {
    SeriesStore store = new SeriesStore(Clock.systemUTC(), Duration.ofHours(26), series);
    ExporterMetrics metrics =
        new ExporterMetrics(new CollectorRegistry(), "bench", "unknown", "unknown");
    List<String> filters = List.of("/device_sensor_data/521853156991/+/+/+/+");
    if (parser.equals("handler")) {
      handle = new MessageHandler(store, metrics, Clock.systemUTC(), filters)::handle;
    } else {
      handle =
          new ParserHandler(
                  store, metrics, Clock.systemUTC(), filters, JsonParseBenchmark.parser(parser))
              ::handle;
    }
    topics = new String[series];
    bodies = new byte[series][];
    long timestamp = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
    for (int i = 0; i < series; i++) {
      topics[i] = BenchMessages.topic(i);
      bodies[i] = BenchMessages.body(i, timestamp);
      handle.accept(topics[i], bodies[i]);
    }
    if (store.size() != series) {
      throw new IllegalStateException(parser + " stored " + store.size() + " of " + series);
    }
  }

  @Benchmark
  public void handle() {
    int i = next;
    next = i + 1 == series ? 0 : i + 1;
    handle.accept(topics[i], bodies[i]);
  }
}
