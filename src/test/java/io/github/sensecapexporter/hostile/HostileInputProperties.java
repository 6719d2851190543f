package io.github.sensecapexporter.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.ingest.MessageHandler;
import io.github.sensecapexporter.metrics.DropReason;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.parse.PayloadParser;
import io.github.sensecapexporter.parse.Reading;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.parse.TopicParser;
import io.github.sensecapexporter.store.SeriesStore;
import io.prometheus.client.CollectorRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/** Generated input, from plausible to hostile: the parsers and the handler hold their promises. */
class HostileInputProperties {
  private static final int MAX_SERIES = 50;

  @Property
  void topicParserNeverThrows(@ForAll String topic) {
    TopicParser.parse(topic);
  }

  @Property
  void topicParserReadsEveryWellFormedSensorTopic(
      @ForAll("level") String org,
      @ForAll("level") String device,
      @ForAll("level") String channel,
      @ForAll("level") String sensor,
      @ForAll("level") String measurement) {
    Topic topic =
        TopicParser.parse(
            "/device_sensor_data/"
                + org
                + "/"
                + device
                + "/"
                + channel
                + "/"
                + sensor
                + "/"
                + measurement);
    assertEquals(new Topic(Topic.Kind.MEASUREMENT, device, channel, sensor, measurement), topic);
  }

  @Property
  void topicParserRefusesALevelNoSenseCapIdentifierCouldBe(
      @ForAll("level") String device, @ForAll("badLevel") String bad, @ForAll boolean inDevice) {
    String topic =
        inDevice
            ? "/device_sensor_data/1/" + bad + "/1/vs/4097"
            : "/device_sensor_data/1/" + device + "/1/" + bad + "/4097";
    assertNull(TopicParser.parse(topic));
  }

  @Property
  void payloadParserNeverThrows(@ForAll byte[] body) {
    assertNotNull(PayloadParser.parse(body));
  }

  @Property
  void payloadParserNeverThrowsOnJsonShapedNoise(@ForAll("jsonish") String body) {
    assertNotNull(PayloadParser.parse(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Property
  void aFiniteValueAndItsTimestampComeBackExactly(
      @ForAll double value, @ForAll("millis") long timestamp, @ForAll boolean asStrings) {
    String v = Double.toString(value);
    String body =
        asStrings
            ? "{\"value\":\"" + v + "\",\"timestamp\":\"" + timestamp + "\"}"
            : "{\"value\":" + v + ",\"timestamp\":" + timestamp + "}";
    Reading reading = PayloadParser.parse(body.getBytes(StandardCharsets.UTF_8));
    if (Double.isFinite(value)) {
      assertEquals(new Reading(Reading.Status.NUMERIC, value, timestamp), reading);
    } else {
      assertEquals(Reading.Status.INVALID, reading.status());
    }
  }

  /** The parser's own number conversion gives the double that {@link Double#parseDouble} gives. */
  @Property
  void decimalNumbersReadAsParseDoubleReadsThem(
      @ForAll boolean negative,
      @ForAll("integerDigits") String integer,
      @ForAll("fractionDigits") String fraction,
      @ForAll("exponents") String exponent) {
    String number = (negative ? "-" : "") + integer + fraction + exponent;
    double expected = Double.parseDouble(number);
    Reading reading = PayloadParser.parse(utf8("{\"value\":" + number + "}"));
    if (Double.isFinite(expected)) {
      assertEquals(expected, reading.value(), number);
    } else {
      assertEquals(Reading.Status.INVALID, reading.status(), number);
    }
  }

  @Provide
  Arbitrary<String> integerDigits() {
    return Arbitraries.oneOf(
        Arbitraries.just("0"),
        Combinators.combine(
                Arbitraries.strings().withCharRange('1', '9').ofLength(1),
                Arbitraries.strings().numeric().ofMaxLength(24))
            .as(String::concat));
  }

  @Provide
  Arbitrary<String> fractionDigits() {
    return Arbitraries.oneOf(
        Arbitraries.just(""),
        Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(24).map(d -> "." + d));
  }

  @Provide
  Arbitrary<String> exponents() {
    return Arbitraries.oneOf(
        Arbitraries.just(""),
        Combinators.combine(
                Arbitraries.of("e", "E", "e+", "e-", "E-"), Arbitraries.integers().between(0, 400))
            .as((e, n) -> e + n));
  }

  /**
   * Every message is received, and either accepted or dropped for one reason; the store stays
   * bounded.
   */
  @Property(tries = 200)
  void everyMessageIsAccountedForAndTheStoreStaysBounded(
      @ForAll("messages") List<Message> messages) {
    CollectorRegistry registry = new CollectorRegistry();
    SeriesStore store = new SeriesStore(Clock.systemUTC(), Duration.ofHours(26), MAX_SERIES);
    MessageHandler handler =
        new MessageHandler(
            store,
            new ExporterMetrics(registry, "test", "unknown", "unknown"),
            Clock.systemUTC(),
            List.of("#"));
    for (Message message : messages) {
      handler.handle(message.topic(), message.body());
    }
    double dropped = 0;
    for (DropReason reason : DropReason.values()) {
      dropped +=
          registry.getSampleValue(
              "sensecap_exporter_messages_dropped_total",
              new String[] {"reason"},
              new String[] {reason.label()});
    }
    double accepted = registry.getSampleValue("sensecap_exporter_messages_accepted_total");
    assertEquals(
        messages.size(), registry.getSampleValue("sensecap_exporter_messages_received_total"));
    assertEquals(messages.size(), accepted + dropped);
    assertTrue(store.size() <= MAX_SERIES, "store holds " + store.size());
  }

  record Message(String topic, byte[] body) {}

  @Provide
  Arbitrary<String> level() {
    return Arbitraries.strings()
        .withCharRange('!', '~')
        .excludeChars('/', '+', '#')
        .ofMinLength(1)
        .ofMaxLength(TopicParser.MAX_LEVEL_CHARS);
  }

  /** A level with a character no SenseCAP identifier has, or longer than the bound. */
  @Provide
  Arbitrary<String> badLevel() {
    return Arbitraries.oneOf(
        Combinators.combine(
                level(),
                Arbitraries.chars().filter(c -> c <= ' ' || c > '~' || c == '+' || c == '#'),
                level())
            .as((before, bad, after) -> before + bad + after),
        Arbitraries.strings()
            .withCharRange('0', 'F')
            .ofMinLength(TopicParser.MAX_LEVEL_CHARS + 1)
            .ofMaxLength(70_000));
  }

  @Provide
  Arbitrary<Long> millis() {
    return Arbitraries.longs().between(1_000_000_000_000L, System.currentTimeMillis());
  }

  @Provide
  Arbitrary<String> jsonish() {
    return Arbitraries.strings()
        .withChars("{}[]\":,0123456789.eE+-truefalsnvimesp \\")
        .ofMaxLength(200);
  }

  @Provide
  Arbitrary<List<Message>> messages() {
    Arbitrary<String> device = Arbitraries.strings().withChars("0123456789ABCDEF").ofLength(3);
    Arbitrary<String> goodTopic =
        Combinators.combine(device, Arbitraries.of("4097", "4098", "4100", "3000"))
            .as((d, id) -> "/device_sensor_data/1/2CF7F1C0443" + d + "/1/vs/" + id);
    Arbitrary<String> longLevel =
        Arbitraries.strings()
            .alpha()
            .ofLength(2000)
            .map(s -> "/device_sensor_data/1/" + s + "/1/vs/4097");
    List<Tuple2<Integer, Arbitrary<String>>> topics =
        List.of(
            Tuple.of(6, goodTopic),
            Tuple.of(1, Arbitraries.strings().ofMaxLength(100)),
            Tuple.of(1, Arbitraries.strings().withChars("/ab+#").ofMaxLength(30)),
            Tuple.of(1, longLevel));
    Arbitrary<byte[]> goodBody =
        Combinators.combine(
                Arbitraries.doubles().between(-1e6, 1e6),
                Arbitraries.longs().between(1_700_000_000_000L, 1_750_000_000_000L))
            .as((v, t) -> utf8("{\"value\":" + v + ",\"timestamp\":" + t + "}"));
    List<Tuple2<Integer, Arbitrary<byte[]>>> bodies =
        List.of(
            Tuple.of(5, goodBody),
            Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)),
            Tuple.of(1, jsonish().map(HostileInputProperties::utf8)),
            Tuple.of(1, Arbitraries.just(utf8("{\"value\":1,\"x\":" + "[".repeat(10_000) + "}"))),
            Tuple.of(1, Arbitraries.just(utf8("{\"value\":\"" + "9".repeat(5_000) + "\"}"))));
    return Combinators.combine(Arbitraries.frequencyOf(topics), Arbitraries.frequencyOf(bodies))
        .as(Message::new)
        .list()
        .ofMaxSize(300);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
