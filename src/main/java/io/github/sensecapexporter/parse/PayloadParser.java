package io.github.sensecapexporter.parse;

import java.nio.charset.StandardCharsets;

/**
 * Parses an OpenStream body such as {@code {"value": 23.5, "timestamp": 1759186369000}}. Both
 * fields may also be strings holding numbers; {@code value} may be a boolean (1 or 0); {@code
 * timestamp} is in milliseconds, or in seconds when below 10^12. Pure: the same bytes give the same
 * reading.
 *
 * <p>It reads strict JSON (RFC 8259) straight from the bytes, once per message: no reader, no
 * buffer copy, no exception for bad input, and no allocation for the usual body of two numbers.
 * Gson's streaming reader, used as well as it can be, allocates its own buffers for every body and
 * is slower on the whole handler path (PERFORMANCE.md, "The JSON parser against Gson");
 * PayloadParserOracleTest holds this parser to Gson's reading of the same bodies.
 */
public final class PayloadParser {
  /**
   * Epoch times below this are in seconds, else in milliseconds, for the feed (OpenStream's rule)
   * and the HTTP API alike: 10^12 ms is September 2001, 10^12 s is the year 33658.
   */
  public static final long SECONDS_BELOW = 1_000_000_000_000L;

  private static final long INVALID_TIMESTAMP = -1;

  /** Containers nested deeper than this inside a field make the body invalid. */
  static final int MAX_DEPTH = 255;

  private static final byte[] VALUE = {'v', 'a', 'l', 'u', 'e'};
  private static final byte[] TIMESTAMP = {'t', 'i', 'm', 'e', 's', 't', 'a', 'm', 'p'};
  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};

  /** Powers of ten that a double holds exactly. */
  private static final double[] EXACT_POWERS_OF_TEN = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22
  };

  private final byte[] body;
  private int pos;

  /** The number read last by {@link #number()}. */
  private double number;

  private PayloadParser(byte[] body) {
    this.body = body;
  }

  public static Reading parse(byte[] body) {
    return new PayloadParser(body).reading();
  }

  private Reading reading() {
    // A byte order mark, which some encoders put first, is not part of the JSON text.
    if (body.length >= 3
        && body[0] == (byte) 0xEF
        && body[1] == (byte) 0xBB
        && body[2] == (byte) 0xBF) {
      pos = 3;
    }
    skipWhitespace();
    if (!consume('{')) {
      return Reading.INVALID;
    }
    Reading.Status status = null;
    double value = Double.NaN;
    long timestamp = Reading.NO_TIMESTAMP;
    skipWhitespace();
    if (!consume('}')) {
      do {
        skipWhitespace();
        int nameStart = pos;
        if (!skipString()) {
          return Reading.INVALID;
        }
        Field field = field(nameStart, pos);
        skipWhitespace();
        if (!consume(':')) {
          return Reading.INVALID;
        }
        skipWhitespace();
        switch (field) {
          case VALUE -> {
            status = readValue();
            if (status == Reading.Status.INVALID) {
              return Reading.INVALID;
            }
            value = number;
          }
          case TIMESTAMP -> {
            timestamp = readTimestamp();
            if (timestamp == INVALID_TIMESTAMP) {
              return Reading.INVALID;
            }
          }
          case OTHER -> {
            if (!skipValue(0)) {
              return Reading.INVALID;
            }
          }
        }
        skipWhitespace();
      } while (consume(','));
      if (!consume('}')) {
        return Reading.INVALID;
      }
    }
    skipWhitespace();
    if (status == null || pos != body.length) {
      return Reading.INVALID;
    }
    return status == Reading.Status.NON_NUMERIC
        ? Reading.NON_NUMERIC
        : new Reading(Reading.Status.NUMERIC, value, timestamp);
  }

  private enum Field {
    VALUE,
    TIMESTAMP,
    OTHER
  }

  /** Which field the quoted name between {@code start} and {@code end} names. */
  private Field field(int start, int end) {
    if (bytesEqual(start + 1, end - 1, VALUE)) {
      return Field.VALUE;
    }
    if (bytesEqual(start + 1, end - 1, TIMESTAMP)) {
      return Field.TIMESTAMP;
    }
    if (indexOf('\\', start, end) < 0) {
      return Field.OTHER;
    }
    // A name written with escapes, such as "\u0076alue", is still that name.
    String name = stringAt(start, end);
    return name.equals("value")
        ? Field.VALUE
        : name.equals("timestamp") ? Field.TIMESTAMP : Field.OTHER;
  }

  /**
   * Reads the value field into {@link #number}; says whether it is a number, another thing, or bad.
   */
  private Reading.Status readValue() {
    if (pos == body.length) {
      return Reading.Status.INVALID;
    }
    switch (body[pos]) {
      case '"' -> {
        int start = pos;
        if (!skipString()) {
          return Reading.Status.INVALID;
        }
        String text = stringAt(start, pos);
        if (NumberText.isNumber(text)) {
          number = Double.parseDouble(text.strip());
          return Double.isInfinite(number) ? Reading.Status.INVALID : Reading.Status.NUMERIC;
        }
        return NumberText.isNotFinite(text) ? Reading.Status.INVALID : Reading.Status.NON_NUMERIC;
      }
      case 't' -> {
        number = 1;
        return consumeWord(TRUE) ? Reading.Status.NUMERIC : Reading.Status.INVALID;
      }
      case 'f' -> {
        number = 0;
        return consumeWord(FALSE) ? Reading.Status.NUMERIC : Reading.Status.INVALID;
      }
      case 'n' -> {
        return Reading.Status.INVALID;
      }
      case '[', '{' -> {
        return skipValue(0) ? Reading.Status.NON_NUMERIC : Reading.Status.INVALID;
      }
      default -> {
        return number() && !Double.isInfinite(number)
            ? Reading.Status.NUMERIC
            : Reading.Status.INVALID;
      }
    }
  }

  private long readTimestamp() {
    if (pos == body.length) {
      return INVALID_TIMESTAMP;
    }
    double raw;
    switch (body[pos]) {
      case '"' -> {
        int start = pos;
        if (!skipString()) {
          return INVALID_TIMESTAMP;
        }
        String text = stringAt(start, pos);
        if (!NumberText.isNumber(text)) {
          return INVALID_TIMESTAMP;
        }
        raw = Double.parseDouble(text.strip());
      }
      case 'n' -> {
        return consumeWord(NULL) ? Reading.NO_TIMESTAMP : INVALID_TIMESTAMP;
      }
      default -> {
        if (!number()) {
          return INVALID_TIMESTAMP;
        }
        raw = number;
      }
    }
    if (!(raw >= 0) || Double.isInfinite(raw)) {
      return INVALID_TIMESTAMP;
    }
    double millis = raw < SECONDS_BELOW ? raw * 1000 : raw;
    // Beyond year 292,278,994 a long of milliseconds overflows; no device sends that.
    return millis >= Long.MAX_VALUE ? INVALID_TIMESTAMP : (long) millis;
  }

  /** Skips one well-formed JSON value; false when it is malformed or nested too deep. */
  private boolean skipValue(int depth) {
    if (pos == body.length) {
      return false;
    }
    return switch (body[pos]) {
      case '"' -> skipString();
      case 't' -> consumeWord(TRUE);
      case 'f' -> consumeWord(FALSE);
      case 'n' -> consumeWord(NULL);
      case '[' -> depth < MAX_DEPTH && skipArray(depth + 1);
      case '{' -> depth < MAX_DEPTH && skipObject(depth + 1);
      default -> number();
    };
  }

  private boolean skipArray(int depth) {
    pos++;
    skipWhitespace();
    if (consume(']')) {
      return true;
    }
    do {
      skipWhitespace();
      if (!skipValue(depth)) {
        return false;
      }
      skipWhitespace();
    } while (consume(','));
    return consume(']');
  }

  private boolean skipObject(int depth) {
    pos++;
    skipWhitespace();
    if (consume('}')) {
      return true;
    }
    do {
      skipWhitespace();
      if (!skipString()) {
        return false;
      }
      skipWhitespace();
      if (!consume(':')) {
        return false;
      }
      skipWhitespace();
      if (!skipValue(depth)) {
        return false;
      }
      skipWhitespace();
    } while (consume(','));
    return consume('}');
  }

  /**
   * Skips a string at {@link #pos}, quotes included; false unless it is well-formed: closed, valid
   * escapes, no raw control characters. Bytes that are not valid UTF-8 are let through, and become
   * U+FFFD where the text is read.
   */
  private boolean skipString() {
    if (!consume('"')) {
      return false;
    }
    while (pos < body.length) {
      byte b = body[pos++];
      if (b == '"') {
        return true;
      }
      if (b >= 0 && b < 0x20) {
        return false;
      }
      if (b == '\\') {
        if (pos == body.length) {
          return false;
        }
        switch (body[pos++]) {
          case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {}
          case 'u' -> {
            for (int i = 0; i < 4; i++) {
              if (pos == body.length || Character.digit(body[pos++], 16) < 0) {
                return false;
              }
            }
          }
          default -> {
            return false;
          }
        }
      }
    }
    return false;
  }

  /** The text of the well-formed string between {@code start} and {@code end}, quotes included. */
  private String stringAt(int start, int end) {
    int from = start + 1;
    int to = end - 1;
    if (indexOf('\\', from, to) < 0) {
      return new String(body, from, to - from, StandardCharsets.UTF_8);
    }
    StringBuilder text = new StringBuilder(to - from);
    int run = from;
    int i = from;
    while (i < to) {
      if (body[i] != '\\') {
        i++;
        continue;
      }
      text.append(new String(body, run, i - run, StandardCharsets.UTF_8));
      char escaped = (char) body[i + 1];
      switch (escaped) {
        case 'b' -> text.append('\b');
        case 'f' -> text.append('\f');
        case 'n' -> text.append('\n');
        case 'r' -> text.append('\r');
        case 't' -> text.append('\t');
        case 'u' -> {
          text.append(
              (char) Integer.parseInt(new String(body, i + 2, 4, StandardCharsets.US_ASCII), 16));
          i += 4;
        }
        default -> text.append(escaped);
      }
      i += 2;
      run = i;
    }
    text.append(new String(body, run, to - run, StandardCharsets.UTF_8));
    return text.toString();
  }

  /**
   * Reads a JSON number at {@link #pos} into {@link #number}; false unless it follows the JSON
   * grammar. Up to 15 significant digits with a small exponent are converted exactly here (one
   * correctly rounded multiplication or division of two exact doubles); longer ones by {@link
   * Double#parseDouble}.
   */
  private boolean number() {
    int start = pos;
    boolean negative = consume('-');
    long mantissa = 0;
    int significantDigits = 0;
    int integerDigits = 0;
    while (pos < body.length && isDigit(body[pos])) {
      if (integerDigits == 1 && body[pos - 1] == '0') {
        return false; // JSON forbids leading zeros
      }
      mantissa = accumulate(mantissa, body[pos], significantDigits);
      significantDigits += mantissa == 0 ? 0 : 1;
      integerDigits++;
      pos++;
    }
    if (integerDigits == 0) {
      return false;
    }
    int fractionDigits = 0;
    if (consume('.')) {
      while (pos < body.length && isDigit(body[pos])) {
        mantissa = accumulate(mantissa, body[pos], significantDigits);
        significantDigits += mantissa == 0 ? 0 : 1;
        fractionDigits++;
        pos++;
      }
      if (fractionDigits == 0) {
        return false;
      }
    }
    int exponent = 0;
    int exponentDigits = 0;
    if (pos < body.length && (body[pos] == 'e' || body[pos] == 'E')) {
      pos++;
      boolean negativeExponent = consume('-');
      if (!negativeExponent) {
        consume('+');
      }
      while (pos < body.length && isDigit(body[pos])) {
        exponent = exponentDigits < 4 ? exponent * 10 + (body[pos] - '0') : exponent;
        exponentDigits++;
        pos++;
      }
      if (exponentDigits == 0) {
        return false;
      }
      exponent = negativeExponent ? -exponent : exponent;
    }
    int scale = exponent - fractionDigits;
    if (significantDigits <= 15 && exponentDigits <= 4 && Math.abs(scale) <= 22) {
      double magnitude =
          scale < 0
              ? mantissa / EXACT_POWERS_OF_TEN[-scale]
              : mantissa * EXACT_POWERS_OF_TEN[scale];
      number = negative ? -magnitude : magnitude;
    } else {
      number = Double.parseDouble(new String(body, start, pos - start, StandardCharsets.US_ASCII));
    }
    return true;
  }

  /** Appends a digit while it can still be exact; the count decides later whether it was. */
  private static long accumulate(long mantissa, byte digit, int significantDigits) {
    return significantDigits < 16 ? mantissa * 10 + (digit - '0') : mantissa;
  }

  private boolean consumeWord(byte[] word) {
    if (!bytesEqual(pos, Math.min(pos + word.length, body.length), word)) {
      return false;
    }
    pos += word.length;
    return true;
  }

  private boolean consume(char expected) {
    if (pos < body.length && body[pos] == expected) {
      pos++;
      return true;
    }
    return false;
  }

  private void skipWhitespace() {
    while (pos < body.length) {
      byte b = body[pos];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return;
      }
      pos++;
    }
  }

  private boolean bytesEqual(int start, int end, byte[] expected) {
    if (end - start != expected.length) {
      return false;
    }
    for (int i = 0; i < expected.length; i++) {
      if (body[start + i] != expected[i]) {
        return false;
      }
    }
    return true;
  }

  private int indexOf(char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (body[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isDigit(byte b) {
    return b >= '0' && b <= '9';
  }
}
