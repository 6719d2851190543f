package io.github.sensecapexporter.bench;

import io.github.sensecapexporter.parse.GsonPayloadParser;
import io.github.sensecapexporter.parse.PayloadParser;
import io.github.sensecapexporter.parse.Reading;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * The body parser against Gson's streaming reader with the same rules ({@link GsonPayloadParser}):
 * {@code payload} is {@link PayloadParser}, {@code gsonString} a new string and {@code
 * StringReader} per body, {@code gsonReused} one reader over a reused buffer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class JsonParseBenchmark {
  @Param({"payload", "gsonString", "gsonReused"})
  String parser;

  @Param({"number", "string", "extra"})
  String body;

  private Function<byte[], Reading> parse;
  private byte[] bytes;

  @Setup
  public void choose() {
    parse = parser(parser);
    bytes =
        (switch (body) {
              case "number" -> "{\"value\":23.5,\"timestamp\":1759186369000}";
              case "string" -> "{\"value\":\"437\",\"timestamp\":\"1544151922137\"}";
              case "extra" ->
                  "{\"value\": 7.19, \"unit\": \"\\u00b0C\", \"tags\": [1, {\"a\": null}],"
                      + " \"timestamp\": 1573540525315}";
              default -> throw new IllegalArgumentException(body);
            })
            .getBytes(StandardCharsets.UTF_8);
    Reading expected = PayloadParser.parse(bytes);
    if (!parse.apply(bytes).equals(expected) || expected.status() != Reading.Status.NUMERIC) {
      throw new IllegalStateException(parser + " disagrees on " + body);
    }
  }

  static Function<byte[], Reading> parser(String name) {
    return switch (name) {
      case "payload" -> PayloadParser::parse;
      case "gsonString" -> GsonPayloadParser::parseString;
      case "gsonReused" -> new GsonPayloadParser()::parse;
      default -> throw new IllegalArgumentException(name);
    };
  }

  @Benchmark
  public Reading parse() {
    return parse.apply(bytes);
  }
}
