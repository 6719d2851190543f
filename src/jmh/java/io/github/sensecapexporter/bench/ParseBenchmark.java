package io.github.sensecapexporter.bench;

import io.github.sensecapexporter.parse.PayloadParser;
import io.github.sensecapexporter.parse.Reading;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.parse.TopicParser;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The per-message parsers: one OpenStream topic, bodies with numbers and with strings. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ParseBenchmark {
  private final String topic = "/device_sensor_data/521853156991/2CF7F1C04430065C/1/vs/4097";
  private final byte[] numberBody =
      "{\"value\":23.5,\"timestamp\":1759186369000}".getBytes(StandardCharsets.UTF_8);
  private final byte[] stringBody =
      "{\"value\":\"437\",\"timestamp\":\"1544151922137\"}".getBytes(StandardCharsets.UTF_8);

  @Benchmark
  public Topic topic() {
    return TopicParser.parse(topic);
  }

  @Benchmark
  public Reading numberBody() {
    return PayloadParser.parse(numberBody);
  }

  @Benchmark
  public Reading stringBody() {
    return PayloadParser.parse(stringBody);
  }
}
