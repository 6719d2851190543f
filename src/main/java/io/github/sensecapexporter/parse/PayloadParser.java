package io.github.sensecapexporter.parse;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Parses an OpenStream body such as {@code {"value": 23.5, "timestamp": 1759186369000}}. Both
 * fields may also be strings holding numbers; {@code value} may be a boolean (1 or 0); {@code
 * timestamp} is in milliseconds, or in seconds when below 10^12. Pure: the same bytes give the same
 * reading.
 */
public final class PayloadParser {
  /** Timestamps below this are in seconds: 10^12 ms is September 2001, 10^12 s is year 33658. */
  private static final double SECONDS_LIMIT = 1e12;

  private static final long INVALID_TIMESTAMP = -1;

  private PayloadParser() {}

  public static Reading parse(byte[] body) {
    JsonReader reader =
        new JsonReader(
            new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
    reader.setStrictness(Strictness.STRICT);
    try {
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        return Reading.INVALID;
      }
      reader.beginObject();
      Reading.Status status = null;
      double value = Double.NaN;
      long timestamp = Reading.NO_TIMESTAMP;
      while (reader.hasNext()) {
        String name = reader.nextName();
        if (name.equals("value")) {
          switch (reader.peek()) {
            case NUMBER -> {
              // Strict Gson rejects NaN, infinities and numbers too large for a double.
              value = reader.nextDouble();
              status = Reading.Status.NUMERIC;
            }
            case BOOLEAN -> {
              value = reader.nextBoolean() ? 1 : 0;
              status = Reading.Status.NUMERIC;
            }
            case STRING -> {
              String text = reader.nextString();
              if (NumberText.isNumber(text)) {
                value = Double.parseDouble(text.strip());
                if (Double.isInfinite(value)) {
                  return Reading.INVALID;
                }
                status = Reading.Status.NUMERIC;
              } else if (NumberText.isNotFinite(text)) {
                return Reading.INVALID;
              } else {
                status = Reading.Status.NON_NUMERIC;
              }
            }
            case NULL -> {
              return Reading.INVALID;
            }
            default -> {
              reader.skipValue();
              status = Reading.Status.NON_NUMERIC;
            }
          }
        } else if (name.equals("timestamp")) {
          timestamp = readTimestamp(reader);
          if (timestamp == INVALID_TIMESTAMP) {
            return Reading.INVALID;
          }
        } else {
          reader.skipValue();
        }
      }
      reader.endObject();
      if (status == null || reader.peek() != JsonToken.END_DOCUMENT) {
        return Reading.INVALID;
      }
      return status == Reading.Status.NON_NUMERIC
          ? Reading.NON_NUMERIC
          : new Reading(Reading.Status.NUMERIC, value, timestamp);
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      // Gson reports malformed JSON by exception; it happens only for bad input.
      return Reading.INVALID;
    }
  }

  private static long readTimestamp(JsonReader reader) throws IOException {
    double raw;
    switch (reader.peek()) {
      case NUMBER -> raw = reader.nextDouble();
      case STRING -> {
        String text = reader.nextString();
        if (!NumberText.isNumber(text)) {
          return INVALID_TIMESTAMP;
        }
        raw = Double.parseDouble(text.strip());
      }
      case NULL -> {
        reader.nextNull();
        return Reading.NO_TIMESTAMP;
      }
      default -> {
        return INVALID_TIMESTAMP;
      }
    }
    if (!(raw >= 0) || Double.isInfinite(raw)) {
      return INVALID_TIMESTAMP;
    }
    double millis = raw < SECONDS_LIMIT ? raw * 1000 : raw;
    // Beyond year 292,278,994 a long of milliseconds overflows; no device sends that.
    return millis >= Long.MAX_VALUE ? INVALID_TIMESTAMP : (long) millis;
  }
}
