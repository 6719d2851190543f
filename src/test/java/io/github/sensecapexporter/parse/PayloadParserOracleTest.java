package io.github.sensecapexporter.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link PayloadParser} against Gson as an oracle, on bodies generated from fixed seeds. Gson, in
 * strict mode over the body decoded as UTF-8, says whether the body is JSON and what its members
 * are; the project's rules for what a reading is are written out below, in {@link #expected}, apart
 * from the parser's code. Every body is made by its own {@code new Random(seed)}: a failure names
 * the seed, and {@link #body(long)} with it gives the body again.
 */
class PayloadParserOracleTest {
  private static final long FIRST_SEED = 20_261_201L;
  private static final int BODIES = 50_000;

  private static final TypeAdapter<JsonElement> ELEMENTS = new Gson().getAdapter(JsonElement.class);

  /**
   * A decimal number in a string, after Java whitespace is stripped at both ends: an optional sign
   * (a plus too), digits with an optional fraction (either side of the point may be empty, not
   * both), an optional exponent. Stricter than {@link Double#parseDouble} (no hexadecimal, no
   * "NaN", no "1d"); looser than a JSON number, as devices write strings by hand.
   */
  private static final Pattern NUMBER_IN_STRING =
      Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

  @Test
  void agreesWithGsonOnGeneratedBodies() {
    Map<Kind, Integer> seen = new EnumMap<>(Kind.class);
    for (long seed = FIRST_SEED; seed < FIRST_SEED + BODIES; seed++) {
      byte[] body = body(seed);
      Expected expected = expected(body);
      Reading actual = PayloadParser.parse(body);
      seen.merge(expected.kind, 1, Integer::sum);
      if (!same(expected.reading, actual)) {
        fail(
            "seed "
                + seed
                + ", body "
                + printable(body)
                + ": Gson and the rules give "
                + expected.reading
                + " ("
                + expected.kind
                + "), PayloadParser "
                + actual);
      }
    }
    // The bodies must reach every outcome often enough for the comparison to mean something.
    for (Kind kind : Kind.values()) {
      assertTrue(seen.getOrDefault(kind, 0) > BODIES / 50, () -> "too few " + kind + ": " + seen);
    }
  }

  /** The generator itself: a body's bytes depend on its seed only. */
  @Test
  void sameSeedSameBody() {
    for (long seed = FIRST_SEED; seed < FIRST_SEED + 100; seed++) {
      assertEquals(printable(body(seed)), printable(body(seed)), "seed " + seed);
    }
  }

  /** Hand-picked bodies on the edges, through the same comparison. */
  @Test
  void agreesWithGsonOnTheEdges() {
    String[] bodies = {
      "{\"value\": 1.7976931348623157e308}",
      "{\"value\": 1.7976931348623158e308}",
      "{\"value\": 1.7976931348623159e308}",
      "{\"value\": 4.9e-324}",
      "{\"value\": 2.4703282292062327e-324}",
      "{\"value\": 2.4703282292062328e-324}",
      "{\"value\": 2.2250738585072011e-308}",
      "{\"value\": 2.2250738585072012e-308}",
      "{\"value\": 1e-400}",
      "{\"value\": -0}",
      "{\"value\": -0.0e-5}",
      "{\"value\": 9007199254740993}",
      "{\"value\": 184467440737095516160}",
      "{\"value\": -184467440737095516160.5e-3}",
      "{\"value\": 123456789012345e22}",
      "{\"value\": 123456789012345e23}",
      "{\"value\": 1234567890123456e22}",
      "{\"value\": 0.000000000000000000000000000001}",
      "{\"value\": 123456789012345678901234567890.123456789012345678901234567890}",
      "{\"value\": 1e0000000000000000000001}",
      "{\"value\": \"\\u0031\\u0032.5\"}",
      "{\"\\u0076alue\": 2, \"time\\/stamp\": 3, \"tim\\u0065stamp\": 1}",
      "{\"value\": 1, \"x\": \"\\ud83d\\ude00 \\ud800 \\udc00\"}",
      "{\"value\": 1, \"x\": \"\\'\"}",
      "{\"value\": 1, \"x\": \"\t\"}",
      "{\"value\": 1, \"x\": 1.}",
      "{\"value\": 1, \"x\": .5}",
      "{\"value\": 1, \"x\": 00}",
      "{\"value\": 1, \"x\": -}",
      "{\"value\": 1, \"x\": [1 2]}",
      "{\"value\": 1 \"x\": 2}",
      "{\"value\": 1}\f",
    };
    for (String json : bodies) {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      Expected expected = expected(body);
      Reading actual = PayloadParser.parse(body);
      assertTrue(
          same(expected.reading, actual),
          () ->
              json + ": expected " + expected.reading + " (" + expected.kind + "), got " + actual);
    }
  }

  private static boolean same(Reading expected, Reading actual) {
    return expected.status() == actual.status()
        && Double.compare(expected.value(), actual.value()) == 0 // -0.0 is not 0.0 here
        && expected.timestampMillis() == actual.timestampMillis();
  }

  // ---------------------------------------------------------------------------------------------
  // The oracle

  /** Why a body gives the reading it does. */
  enum Kind {
    /** Gson refuses the body as JSON. */
    MALFORMED,
    /** JSON, but the rules refuse it: not an object, no value, a bad value or timestamp. */
    REFUSED,
    NON_NUMERIC,
    NUMERIC
  }

  record Expected(Kind kind, Reading reading) {}

  private static final Expected MALFORMED = new Expected(Kind.MALFORMED, Reading.INVALID);
  private static final Expected REFUSED = new Expected(Kind.REFUSED, Reading.INVALID);

  /**
   * What the body should give: Gson reads it, strictly, member by member (so that repeated names
   * keep their order), and the rules below decide. Where the parser differs from Gson on purpose:
   *
   * <ul>
   *   <li>a string holding a number is a number, for both fields ({@link #NUMBER_IN_STRING});
   *       SenseCAP's reference page shows both as strings;
   *   <li>{@code true} and {@code false} are 1 and 0 (water leak);
   *   <li>NaN and infinities are refused in any spelling: a number literal too large for a double,
   *       a string holding one, or "NaN", "inf", "Infinity" in a string, any case, with a sign;
   *   <li>a member that is not usable (null value, bad timestamp) makes the whole body invalid,
   *       even when a later member with the same name would be; otherwise the last one wins;
   *   <li>a timestamp is in milliseconds, or seconds below 10^12, never negative, within a long of
   *       milliseconds; {@code null} is none;
   *   <li>Gson's own nesting limit is set one above the parser's, as Gson counts the body's object;
   *   <li>Gson's error on long integers is stepped around ({@link #withoutGsonsWrappedZeros}).
   * </ul>
   *
   * <p>Both skip a leading byte order mark, and both take bytes that are not UTF-8 inside strings
   * (as U+FFFD) and refuse them outside.
   */
  static Expected expected(byte[] body) {
    String decoded = withoutGsonsWrappedZeros(new String(body, StandardCharsets.UTF_8));
    JsonReader in = new JsonReader(new StringReader(decoded));
    in.setStrictness(Strictness.STRICT);
    in.setNestingLimit(PayloadParser.MAX_DEPTH + 1);
    List<String> names = new ArrayList<>();
    List<JsonElement> values = new ArrayList<>();
    boolean object;
    try {
      object = in.peek() == JsonToken.BEGIN_OBJECT;
      if (object) {
        in.beginObject();
        while (in.hasNext()) {
          names.add(in.nextName());
          values.add(ELEMENTS.read(in));
        }
        in.endObject();
      } else {
        ELEMENTS.read(in);
      }
      if (in.peek() != JsonToken.END_DOCUMENT) {
        return MALFORMED;
      }
    } catch (IOException | RuntimeException e) {
      return MALFORMED;
    }
    if (!object) {
      return REFUSED;
    }
    Kind valueKind = null;
    double value = Double.NaN;
    long timestamp = Reading.NO_TIMESTAMP;
    for (int i = 0; i < names.size(); i++) {
      JsonElement element = values.get(i);
      switch (names.get(i)) {
        case "value" -> {
          if (element.isJsonArray() || element.isJsonObject()) {
            valueKind = Kind.NON_NUMERIC;
            continue;
          }
          if (element.isJsonNull()) {
            return REFUSED;
          }
          JsonPrimitive primitive = element.getAsJsonPrimitive();
          if (primitive.isBoolean()) {
            valueKind = Kind.NUMERIC;
            value = primitive.getAsBoolean() ? 1 : 0;
            continue;
          }
          String text = primitive.getAsString(); // a number's literal text, or a string's content
          if (primitive.isString() && !NUMBER_IN_STRING.matcher(text.strip()).matches()) {
            if (spellsNotFinite(text)) {
              return REFUSED;
            }
            valueKind = Kind.NON_NUMERIC;
            continue;
          }
          value = Double.parseDouble(text.strip());
          if (Double.isInfinite(value)) {
            return REFUSED;
          }
          valueKind = Kind.NUMERIC;
        }
        case "timestamp" -> {
          if (element.isJsonNull()) {
            timestamp = Reading.NO_TIMESTAMP;
            continue;
          }
          if (!element.isJsonPrimitive() || element.getAsJsonPrimitive().isBoolean()) {
            return REFUSED;
          }
          String text = element.getAsString();
          if (element.getAsJsonPrimitive().isString()
              && !NUMBER_IN_STRING.matcher(text.strip()).matches()) {
            return REFUSED;
          }
          // Milliseconds, or seconds below 10^12; never negative; within a long of milliseconds.
          double raw = Double.parseDouble(text.strip());
          if (!(raw >= 0) || Double.isInfinite(raw)) {
            return REFUSED;
          }
          double millis = raw < 1e12 ? raw * 1000 : raw;
          if (millis >= 0x1p63) {
            return REFUSED;
          }
          timestamp = (long) millis;
        }
        default -> {}
      }
    }
    if (valueKind == null) {
      return REFUSED;
    }
    return valueKind == Kind.NON_NUMERIC
        ? new Expected(Kind.NON_NUMERIC, Reading.NON_NUMERIC)
        : new Expected(Kind.NUMERIC, new Reading(Reading.Status.NUMERIC, value, timestamp));
  }

  /**
   * Gson's one known error on valid JSON here: it reads an integer part's digits into a long that
   * wraps on overflow, and takes a wrapped 0 for a leading zero, refusing valid numbers such as
   * 2^64 followed by a digit (https://github.com/google/gson/pull/3034, after 2.13.2). The exact
   * decimal of a large double is such a number. So that Gson may judge the rest, such a number is
   * written with one digit before the point and an exponent: the same value, the same double.
   */
  static String withoutGsonsWrappedZeros(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean inString = false;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (inString || c == '"') {
        inString = c == '"' ? !inString : inString;
        out.append(c);
        if (inString && c == '\\' && i + 1 < text.length()) {
          out.append(text.charAt(++i));
        }
        i++;
        continue;
      }
      char before = i == 0 ? ' ' : text.charAt(i - 1);
      char beforeThat = i < 2 ? ' ' : text.charAt(i - 2);
      boolean startsNumber =
          c >= '1'
              && c <= '9'
              && (before == '-' ? !isNumberChar(beforeThat) : !isNumberChar(before));
      if (!startsNumber) {
        out.append(c);
        i++;
        continue;
      }
      int end = i;
      while (end < text.length() && isNumberChar(text.charAt(end))) {
        end++;
      }
      String number = text.substring(i, end);
      out.append(gsonWrapsToZero(number) ? scientific(number) : number);
      i = end;
    }
    return out.toString();
  }

  private static boolean isNumberChar(char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
  }

  /** Gson's test, as JsonReader.peekNumber makes it: a wrapped 0 before another integer digit. */
  private static boolean gsonWrapsToZero(String number) {
    long value = 0;
    for (int i = 0;
        i < number.length() && number.charAt(i) >= '0' && number.charAt(i) <= '9';
        i++) {
      if (i > 0 && value == 0) {
        return true;
      }
      value = value * 10 - (number.charAt(i) - '0');
    }
    return false;
  }

  /** The same number with one digit before the point, or the text itself if it is no number. */
  private static String scientific(String number) {
    try {
      BigDecimal decimal = new BigDecimal(number);
      String digits = decimal.unscaledValue().toString();
      long exponent = digits.length() - 1L - decimal.scale();
      return digits.charAt(0)
          + (digits.length() > 1 ? "." + digits.substring(1) : "")
          + "e"
          + exponent;
    } catch (NumberFormatException e) {
      return number;
    }
  }

  private static boolean spellsNotFinite(String text) {
    String word = text.strip().replaceFirst("^[+-]", "");
    return word.equalsIgnoreCase("nan")
        || word.equalsIgnoreCase("inf")
        || word.equalsIgnoreCase("infinity");
  }

  // ---------------------------------------------------------------------------------------------
  // The generator

  private static final String[] WHITESPACE = {"", "", "", "", " ", "  ", "\t", "\n", "\r\n", " \r"};

  private static final String[] NAMES = {
    "value", "timestamp", "Value", "VALUE", "values", "valu", "value ", " value", "timeStamp",
    "time", "ts", "unit", "mac", "rssi", "id", "eventName", "", "v"
  };

  private static final String[] NOT_NUMBERS_IN_STRINGS = {
    "",
    " ",
    "abc",
    "0x1F",
    "0x1p3",
    "1d",
    "1f",
    "1.2.3",
    "1,5",
    "12 5",
    "-",
    "+",
    ".",
    "e5",
    "1e",
    "1e+",
    "true",
    "null",
    "NaN",
    "nan",
    "-NaN",
    "Infinity",
    "-Infinity",
    "+Infinity",
    "inf",
    "-inf",
    " +INF ",
    "infinit",
    "2CF7F1C0440003C9",
    "\u0661\u0662",
    "\u00a01",
    "1_000",
    "--1",
    "+-1",
    "1e5.5",
    "0b101"
  };

  private static final String[] GARBAGE = {
    " x", "}", ",", "{}", "1", "]", "\"", " {\"value\": 1}", "\u0000", " null", "/**/", "#"
  };

  /** The body made by {@code new Random(seed)}. */
  static byte[] body(long seed) {
    Random random = new Random(seed);
    Body body = new Body(random);
    int shape = random.nextInt(100);
    if (shape < 2) {
      body.value(0); // not an object
    } else {
      if (shape < 4) {
        body.raw(0xEF).raw(0xBB).raw(0xBF);
      }
      body.object();
    }
    body.ws();
    byte[] bytes = body.bytes();
    return random.nextInt(100) < 35 ? mutate(random, bytes) : bytes;
  }

  /** Breaks the body, most of the time. */
  private static byte[] mutate(Random random, byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = random.nextInt(bytes.length + 1);
    switch (random.nextInt(6)) {
      case 0 -> out.write(bytes, 0, at); // truncated
      case 1 -> {
        out.writeBytes(bytes);
        out.writeBytes(GARBAGE[random.nextInt(GARBAGE.length)].getBytes(StandardCharsets.UTF_8));
      }
      case 2 -> { // a byte dropped
        int dropped = Math.min(at, bytes.length - 1);
        out.write(bytes, 0, Math.max(dropped, 0));
        out.write(bytes, dropped + 1, Math.max(0, bytes.length - dropped - 1));
      }
      default -> { // a byte inserted or replaced: one that matters to JSON, or none at all
        byte[] inserts = "\"\\{}[],:0-+.eE ux/\u0001tfn".getBytes(StandardCharsets.US_ASCII);
        int inserted =
            random.nextInt(10) == 0
                ? 0x80 + random.nextInt(0x80)
                : inserts[random.nextInt(inserts.length)];
        out.write(bytes, 0, at);
        out.write(inserted);
        int skip = random.nextBoolean() ? 1 : 0;
        out.write(
            bytes,
            Math.min(at + skip, bytes.length),
            bytes.length - Math.min(at + skip, bytes.length));
      }
    }
    return out.toByteArray();
  }

  /** A body being written, by one {@link Random}. */
  private static final class Body {
    private final Random random;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Body(Random random) {
      this.random = random;
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    Body raw(int b) {
      out.write(b);
      return this;
    }

    Body text(String text) {
      out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      return this;
    }

    Body ws() {
      return text(WHITESPACE[random.nextInt(WHITESPACE.length)]);
    }

    void object() {
      ws().text("{");
      List<Runnable> members = new ArrayList<>();
      int values = random.nextInt(100) < 92 ? (random.nextInt(100) < 6 ? 2 : 1) : 0;
      for (int i = 0; i < values; i++) {
        members.add(() -> member("value", this::fieldValue));
      }
      int timestamps = random.nextInt(100) < 80 ? (random.nextInt(100) < 4 ? 2 : 1) : 0;
      for (int i = 0; i < timestamps; i++) {
        members.add(() -> member("timestamp", this::timestamp));
      }
      int others = random.nextInt(100) < 50 ? 0 : 1 + random.nextInt(3);
      for (int i = 0; i < others; i++) {
        members.add(
            () ->
                member(
                    random.nextInt(4) == 0
                        ? randomString(8)
                        : NAMES[2 + random.nextInt(NAMES.length - 2)],
                    () -> value(0)));
      }
      Collections.shuffle(members, random);
      ws();
      for (int i = 0; i < members.size(); i++) {
        if (i > 0) {
          ws().text(",").ws();
        }
        members.get(i).run();
      }
      ws().text("}");
    }

    private void member(String name, Runnable value) {
      string(name, random.nextInt(8) == 0);
      ws().text(":").ws();
      value.run();
    }

    /** A value member's value: mostly numbers, as devices send them. */
    private void fieldValue() {
      int kind = random.nextInt(100);
      if (kind < 45) {
        text(numberLiteral(random));
      } else if (kind < 65) {
        string(numberInString(), random.nextInt(6) == 0);
      } else if (kind < 75) {
        string(NOT_NUMBERS_IN_STRINGS[random.nextInt(NOT_NUMBERS_IN_STRINGS.length)], false);
      } else if (kind < 80) {
        anyString();
      } else if (kind < 86) {
        text(random.nextBoolean() ? "true" : "false");
      } else if (kind < 89) {
        text("null");
      } else {
        value(3); // an array or an object mostly, as scans and events are
      }
    }

    private void timestamp() {
      int kind = random.nextInt(100);
      if (kind < 35) {
        text(Long.toString(1_500_000_000_000L + (long) (random.nextDouble() * 3e11)));
      } else if (kind < 50) {
        text(Long.toString(1_500_000_000L + random.nextInt(300_000_000)));
      } else if (kind < 65) {
        text(numberLiteral(random));
      } else if (kind < 80) {
        string(random.nextBoolean() ? numberInString() : Long.toString(random.nextLong()), false);
      } else if (kind < 85) {
        text("null");
      } else if (kind < 90) {
        string(NOT_NUMBERS_IN_STRINGS[random.nextInt(NOT_NUMBERS_IN_STRINGS.length)], false);
      } else {
        value(2);
      }
    }

    /** Any JSON value, containers down to a small depth. */
    void value(int depth) {
      int kind = random.nextInt(depth < 4 ? 9 : 6);
      switch (kind) {
        case 0, 1 -> text(numberLiteral(random));
        case 2, 3 -> anyString();
        case 4 -> text(random.nextBoolean() ? "true" : "false");
        case 5 -> text("null");
        case 6, 7 -> {
          text("[").ws();
          int n = random.nextInt(4);
          for (int i = 0; i < n; i++) {
            if (i > 0) {
              ws().text(",").ws();
            }
            value(depth + 1);
          }
          ws().text("]");
        }
        default -> {
          text("{").ws();
          int n = random.nextInt(4);
          for (int i = 0; i < n; i++) {
            if (i > 0) {
              ws().text(",").ws();
            }
            member(random.nextBoolean() ? "value" : randomString(5), () -> value(depth + 1));
          }
          ws().text("}");
        }
      }
    }

    /** A string of characters of every kind, written with every kind of escape. */
    private void anyString() {
      text("\"");
      int n = random.nextInt(12);
      for (int i = 0; i < n; i++) {
        switch (random.nextInt(14)) {
          case 0 -> text("\\\"");
          case 1 -> text("\\\\");
          case 2 -> text("\\/");
          case 3 -> text(new String[] {"\\b", "\\f", "\\n", "\\r", "\\t"}[random.nextInt(5)]);
          case 4 -> text(String.format("\\u%04x", random.nextInt(0x20))); // control characters
          case 5 ->
              text(
                  String.format(
                      random.nextBoolean() ? "\\u%04X" : "\\u%04x", random.nextInt(0x10000)));
          case 6 -> { // a surrogate pair, escaped
            int codePoint = 0x10000 + random.nextInt(0x100000);
            char[] pair = Character.toChars(codePoint);
            text(String.format("\\u%04x\\u%04X", (int) pair[0], (int) pair[1]));
          }
          case 7 -> text(new String[] {"é", "中", "😀", "\u2028", "\u007f"}[random.nextInt(5)]);
          case 8 -> raw(new int[] {0xFF, 0xC0, 0x80, 0xE2, 0xED}[random.nextInt(5)]); // not UTF-8
          case 9 -> {
            if (random.nextInt(20) == 0) {
              raw(random.nextInt(0x20)); // a control character unescaped: not JSON
            }
          }
          default ->
              text(Character.toString(0x23 + random.nextInt(0x7f - 0x23)).replace("\\", "a"));
        }
      }
      text("\"");
    }

    /** A JSON string holding {@code content}, some characters escaped if {@code escape}. */
    private void string(String content, boolean escape) {
      StringBuilder s = new StringBuilder("\"");
      for (char c : content.toCharArray()) {
        if (c == '"' || c == '\\') {
          s.append('\\').append(c);
        } else if (c == '\t') {
          s.append("\\t");
        } else if (c == '\n') {
          s.append("\\n");
        } else if (c < 0x20 || (escape && random.nextInt(3) == 0)) {
          s.append(String.format("\\u%04x", (int) c));
        } else {
          s.append(c);
        }
      }
      text(s.append('"').toString());
    }

    private String randomString(int max) {
      StringBuilder s = new StringBuilder();
      int n = random.nextInt(max + 1);
      for (int i = 0; i < n; i++) {
        s.append((char) ('a' + random.nextInt(26)));
      }
      return s.toString();
    }

    /** A number as a device might write it in a string: JSON's forms and a few looser ones. */
    private String numberInString() {
      String number =
          switch (random.nextInt(8)) {
            case 0 -> "+" + numberLiteral(random).replaceFirst("^-", "");
            case 1 -> "." + digits(random, 1 + random.nextInt(8));
            case 2 -> digits(random, 1 + random.nextInt(8)) + ".";
            case 3 -> "0" + digits(random, 1 + random.nextInt(4)); // leading zeros are fine here
            default -> numberLiteral(random);
          };
      String[] pads = {"", "", "", " ", "\t", "\n", "\u2003", "\u001f", "\u00a0"};
      return pads[random.nextInt(pads.length)] + number + pads[random.nextInt(pads.length)];
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Numbers

  /** A JSON number literal, chosen to reach the edges of a double and of the parser's fast path. */
  static String numberLiteral(Random random) {
    boolean negative = random.nextBoolean();
    String sign = negative ? "-" : "";
    return switch (random.nextInt(14)) {
      case 0 -> Integer.toString(random.nextInt(2001) - 1000);
      case 1 -> sign + random.nextInt(10_000) + "." + digits(random, 1 + random.nextInt(6));
      case 2 -> Double.toString(randomDouble(random));
      case 3 -> new BigDecimal(randomDouble(random)).toString(); // exact: up to 767 digits
      case 4 -> { // a long mantissa with an exponent anywhere near a double's range
        String mantissa = (1 + random.nextInt(9)) + digits(random, 29 + random.nextInt(30));
        int point = random.nextInt(mantissa.length());
        yield sign
            + mantissa.substring(0, point + 1)
            + (point + 1 < mantissa.length() ? "." + mantissa.substring(point + 1) : "")
            + (random.nextBoolean() ? "e" : "E")
            + (random.nextInt(680) - 360);
      }
      case 5 -> sign + nearMaxValue(random);
      case 6 -> sign + nearMinValue(random);
      case 7 ->
          new String[] {"-0", "-0.0", "-0e0", "-0.000e-5", "0", "0.0", "0e+10", "-0E-0"}
              [random.nextInt(8)];
      case 8 -> { // integers beyond 2^53
        yield switch (random.nextInt(3)) {
          case 0 -> Long.toString(random.nextLong());
          case 1 -> sign + ((1L << 53) + random.nextInt(1000));
          default -> sign + new BigInteger(64 + random.nextInt(40), random).add(BigInteger.ONE);
        };
      }
      case 9 -> { // 14 to 17 significant digits, scaled around 10^±22: the fast path's edge
        String digits = (1 + random.nextInt(9)) + digits(random, 13 + random.nextInt(4));
        String zeros = random.nextInt(4) == 0 ? "0." + "0".repeat(random.nextInt(8)) : "";
        yield sign + zeros + digits + "e" + (random.nextInt(51) - 25);
      }
      case 10 -> // exponents written with many digits
          sign
              + (1 + random.nextInt(9))
              + (random.nextBoolean() ? "." + digits(random, 3) : "")
              + "e"
              + (random.nextBoolean() ? "-" : "+")
              + "0".repeat(random.nextInt(12))
              + random.nextInt(400);
      case 11 -> // far outside a double's range
          sign + (1 + random.nextInt(9)) + "e" + (random.nextBoolean() ? "-" : "") + "99999999999";
      case 12 ->
          Double.toString(
              (negative ? -1 : 1) * random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
      default -> { // anything the grammar allows
        String integer =
            random.nextInt(5) == 0
                ? "0"
                : (1 + random.nextInt(9)) + digits(random, random.nextInt(20));
        String fraction = random.nextBoolean() ? "." + digits(random, 1 + random.nextInt(20)) : "";
        String exponent =
            random.nextBoolean()
                ? (random.nextBoolean() ? "e" : "E")
                    + new String[] {"", "+", "-"}[random.nextInt(3)]
                    + random.nextInt(330)
                : "";
        yield sign + integer + fraction + exponent;
      }
    };
  }

  /** Any finite double, from random bits. */
  private static double randomDouble(Random random) {
    double d;
    do {
      d = Double.longBitsToDouble(random.nextLong());
    } while (!Double.isFinite(d));
    return d;
  }

  /** Decimals around the largest double and the point where rounding goes to infinity. */
  private static String nearMaxValue(Random random) {
    BigDecimal max = new BigDecimal(Double.MAX_VALUE);
    BigDecimal halfUlp = new BigDecimal(Math.ulp(Double.MAX_VALUE)).divide(BigDecimal.valueOf(2));
    BigDecimal base = random.nextBoolean() ? max : max.add(halfUlp);
    // Nudged by a few units in the 17th to 40th significant digit, or not at all.
    BigDecimal nudge = BigDecimal.ONE.scaleByPowerOfTen(308 - 16 - random.nextInt(24));
    BigDecimal value = base.add(nudge.multiply(BigDecimal.valueOf(random.nextInt(7) - 3)));
    String plain = value.toBigInteger().toString(); // 309 digits
    int keep = 16 + random.nextInt(30);
    return plain.charAt(0) + "." + plain.substring(1, keep) + "e308";
  }

  /** Decimals around the smallest subnormal, the smallest normal, and subnormals between. */
  private static String nearMinValue(Random random) {
    return switch (random.nextInt(4)) {
      case 0 ->
          new String[] {
                "4.9e-324",
                "4.9E-324",
                "5e-324",
                "2.4703282292062327e-324",
                "2.4703282292062328e-324",
                "2.2250738585072011e-308",
                "2.2250738585072012e-308",
                "2.2250738585072014E-308"
              }
              [random.nextInt(8)];
      case 1 ->
          Double.toString(Double.longBitsToDouble(random.nextLong() & 0x000F_FFFF_FFFF_FFFFL));
      case 2 ->
          new BigDecimal(Double.longBitsToDouble(random.nextLong() & 0x000F_FFFF_FFFF_FFFFL))
              .round(new java.math.MathContext(17 + random.nextInt(25)))
              .toString();
      default -> { // a decimal near a multiple of the smallest subnormal, to 40 digits
        BigDecimal min = new BigDecimal(Double.MIN_VALUE);
        BigDecimal value =
            min.multiply(BigDecimal.valueOf(random.nextInt(5)))
                .add(min.divide(BigDecimal.valueOf(2)))
                .add(
                    min.scaleByPowerOfTen(-20).multiply(BigDecimal.valueOf(random.nextInt(3) - 1)));
        yield value.round(new java.math.MathContext(40)).toString();
      }
    };
  }

  private static String digits(Random random, int count) {
    StringBuilder s = new StringBuilder(count);
    for (int i = 0; i < count; i++) {
      s.append((char) ('0' + random.nextInt(10)));
    }
    return s.toString();
  }

  /** The body for a message: printable characters as they are, others as \xNN. */
  private static String printable(byte[] body) {
    StringBuilder s = new StringBuilder();
    for (byte b : body) {
      if (b >= 0x20 && b < 0x7f && b != '\\') {
        s.append((char) b);
      } else {
        s.append(String.format("\\x%02X", b & 0xff));
      }
    }
    return s.toString();
  }
}
