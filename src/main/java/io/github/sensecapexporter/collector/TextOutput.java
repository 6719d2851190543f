package io.github.sensecapexporter.collector;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes the Prometheus text format to a stream through one buffer, numbers and label values
 * straight as bytes: a scrape of a million series must not build a million strings.
 */
final class TextOutput {
  private static final int BUFFER_BYTES = 64 * 1024;

  /** Integral values below this are exact in a double and written as whole numbers. */
  private static final double EXACT_INTEGER_LIMIT = 1e15;

  private final OutputStream out;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private int length;

  TextOutput(OutputStream out) {
    this.out = out;
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  void write(byte[] bytes) throws IOException {
    write(bytes, 0, bytes.length);
  }

  void write(byte[] bytes, int offset, int count) throws IOException {
    if (count > buffer.length - length) {
      flush();
      if (count > buffer.length) {
        out.write(bytes, offset, count);
        return;
      }
    }
    System.arraycopy(bytes, offset, buffer, length, count);
    length += count;
  }

  void write(char c) throws IOException {
    if (length == buffer.length) {
      flush();
    }
    buffer[length++] = (byte) c;
  }

  /** A label value, escaped as the text format asks: backslash, double quote and newline. */
  void labelValue(byte[] bytes, int offset, int count) throws IOException {
    int run = offset;
    int end = offset + count;
    for (int i = offset; i < end; i++) {
      byte b = bytes[i];
      if (b == '\\' || b == '"' || b == '\n') {
        write(bytes, run, i - run);
        write('\\');
        write(b == '\n' ? 'n' : (char) b);
        run = i + 1;
      }
    }
    write(bytes, run, end - run);
  }

  void labelValue(String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    labelValue(bytes, 0, bytes.length);
  }

  /** A finite value: whole numbers without a fraction, the rest as Java prints them. */
  void value(double value) throws IOException {
    if (value == Math.rint(value) && Math.abs(value) < EXACT_INTEGER_LIMIT) {
      integer((long) value);
    } else {
      write(utf8(Double.toString(value)));
    }
  }

  /** Milliseconds since the epoch as seconds, with no more fraction digits than needed. */
  void millisAsSeconds(long millis) throws IOException {
    if (millis < 0) {
      write(utf8(Double.toString(millis / 1000.0)));
      return;
    }
    integer(millis / 1000);
    int fraction = (int) (millis % 1000);
    if (fraction != 0) {
      write('.');
      int divisor = 100;
      while (fraction != 0) {
        write((char) ('0' + fraction / divisor));
        fraction %= divisor;
        divisor /= 10;
      }
    }
  }

  void integer(long value) throws IOException {
    if (value < 0) {
      write('-');
      // The most negative long has no positive twin; its digits are written as a string.
      if (value == Long.MIN_VALUE) {
        write(utf8(Long.toString(value).substring(1)));
        return;
      }
      value = -value;
    }
    if (length + 20 > buffer.length) {
      flush();
    }
    int digits = 1;
    for (long rest = value / 10; rest != 0; rest /= 10) {
      digits++;
    }
    for (int i = length + digits - 1; i >= length; i--) {
      buffer[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    length += digits;
  }

  void flush() throws IOException {
    out.write(buffer, 0, length);
    length = 0;
  }
}
