package io.github.sensecapexporter.parse;

/**
 * Recognises the decimal numbers that devices send as strings. Stricter than {@link
 * Double#parseDouble}, which also takes hexadecimal, "NaN", "Infinity" and suffixes such as "1d".
 */
final class NumberText {
  private NumberText() {}

  /** True for an optional sign, digits with an optional fraction, and an optional exponent. */
  static boolean isNumber(String text) {
    int end = text.length();
    int i = 0;
    while (i < end && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    while (end > i && Character.isWhitespace(text.charAt(end - 1))) {
      end--;
    }
    if (i < end && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
      i++;
    }
    int digits = 0;
    while (i < end && isDigit(text.charAt(i))) {
      i++;
      digits++;
    }
    if (i < end && text.charAt(i) == '.') {
      i++;
      while (i < end && isDigit(text.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < end && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
      i++;
      if (i < end && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
        i++;
      }
      int exponentDigits = 0;
      while (i < end && isDigit(text.charAt(i))) {
        i++;
        exponentDigits++;
      }
      if (exponentDigits == 0) {
        return false;
      }
    }
    return i == end;
  }

  /** True for the spellings of NaN and infinity, which a value must never take. */
  static boolean isNotFinite(String text) {
    String word = text.strip();
    if (word.startsWith("-") || word.startsWith("+")) {
      word = word.substring(1);
    }
    return word.equalsIgnoreCase("nan")
        || word.equalsIgnoreCase("infinity")
        || word.equalsIgnoreCase("inf");
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
