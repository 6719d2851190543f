package io.github.sensecapexporter.parse;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * {@link PayloadParser}'s rules on Gson's streaming reader, for comparison: the body decoded once,
 * then read by a strict {@link JsonReader}. Two ways to hand it the text: a new {@link
 * StringReader} over a new string per message, or one {@link Reader} kept by the instance that
 * copies ASCII bytes straight into a reused {@code char[]} (other bodies are decoded as UTF-8). A
 * {@link JsonReader} cannot be reset, so one is made per message either way.
 */
public final class GsonPayloadParser {
  private static final long INVALID_TIMESTAMP = -1;

  private final BytesReader reader = new BytesReader();
  private double number;

  /** With a new string and reader per message. */
  public static Reading parseString(byte[] body) {
    return new GsonPayloadParser()
        .read(new JsonReader(new StringReader(new String(body, StandardCharsets.UTF_8))));
  }

  /** With this instance's reader and buffer; not thread-safe. */
  public Reading parse(byte[] body) {
    reader.reset(body);
    return read(new JsonReader(reader));
  }

  private Reading read(JsonReader in) {
    in.setStrictness(Strictness.STRICT);
    // Gson counts the body's own object, PayloadParser only what is inside a field.
    in.setNestingLimit(PayloadParser.MAX_DEPTH + 1);
    try {
      if (in.peek() != com.google.gson.stream.JsonToken.BEGIN_OBJECT) {
        return Reading.INVALID;
      }
      in.beginObject();
      Reading.Status status = null;
      double value = Double.NaN;
      long timestamp = Reading.NO_TIMESTAMP;
      while (in.hasNext()) {
        switch (in.nextName()) {
          case "value" -> {
            status = readValue(in);
            if (status == Reading.Status.INVALID) {
              return Reading.INVALID;
            }
            value = number;
          }
          case "timestamp" -> {
            timestamp = readTimestamp(in);
            if (timestamp == INVALID_TIMESTAMP) {
              return Reading.INVALID;
            }
          }
          default -> in.skipValue();
        }
      }
      in.endObject();
      if (status == null || in.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
        return Reading.INVALID;
      }
      return status == Reading.Status.NON_NUMERIC
          ? Reading.NON_NUMERIC
          : new Reading(Reading.Status.NUMERIC, value, timestamp);
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      return Reading.INVALID;
    }
  }

  private Reading.Status readValue(JsonReader in) throws IOException {
    switch (in.peek()) {
      case NUMBER -> {
        number = in.nextDouble(); // strict: NaN and infinities throw
        return Reading.Status.NUMERIC;
      }
      case STRING -> {
        String text = in.nextString();
        if (NumberText.isNumber(text)) {
          number = Double.parseDouble(text.strip());
          return Double.isInfinite(number) ? Reading.Status.INVALID : Reading.Status.NUMERIC;
        }
        return NumberText.isNotFinite(text) ? Reading.Status.INVALID : Reading.Status.NON_NUMERIC;
      }
      case BOOLEAN -> {
        number = in.nextBoolean() ? 1 : 0;
        return Reading.Status.NUMERIC;
      }
      case BEGIN_ARRAY, BEGIN_OBJECT -> {
        in.skipValue();
        return Reading.Status.NON_NUMERIC;
      }
      default -> {
        return Reading.Status.INVALID;
      }
    }
  }

  private long readTimestamp(JsonReader in) throws IOException {
    double raw;
    switch (in.peek()) {
      case NUMBER -> raw = in.nextDouble();
      case STRING -> {
        String text = in.nextString();
        if (!NumberText.isNumber(text)) {
          return INVALID_TIMESTAMP;
        }
        raw = Double.parseDouble(text.strip());
      }
      case NULL -> {
        in.nextNull();
        return Reading.NO_TIMESTAMP;
      }
      default -> {
        return INVALID_TIMESTAMP;
      }
    }
    if (!(raw >= 0) || Double.isInfinite(raw)) {
      return INVALID_TIMESTAMP;
    }
    double millis = raw < PayloadParser.SECONDS_BELOW ? raw * 1000 : raw;
    return millis >= Long.MAX_VALUE ? INVALID_TIMESTAMP : (long) millis;
  }

  /** A reader over one body at a time, its characters in a buffer kept between bodies. */
  private static final class BytesReader extends Reader {
    private char[] chars = new char[256];
    private int length;
    private int pos;

    void reset(byte[] body) {
      pos = 0;
      if (chars.length < body.length) {
        chars = new char[Math.max(body.length, chars.length * 2)];
      }
      for (int i = 0; i < body.length; i++) {
        byte b = body[i];
        if (b < 0) {
          String text = new String(body, StandardCharsets.UTF_8);
          length = text.length();
          text.getChars(0, length, chars, 0); // never more chars than bytes
          return;
        }
        chars[i] = (char) b;
      }
      length = body.length;
    }

    @Override
    public int read(char[] buffer, int offset, int count) {
      if (pos == length) {
        return -1;
      }
      int n = Math.min(count, length - pos);
      System.arraycopy(chars, pos, buffer, offset, n);
      pos += n;
      return n;
    }

    @Override
    public void close() {}
  }
}
