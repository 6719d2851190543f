package io.github.sensecapexporter.logging;

/**
 * Text from outside (an API answer, a topic, a payload, an operator's name) made safe to show: on
 * one line, short, and never a surrogate pair cut in half, which would not be valid UTF-8.
 */
public final class LogText {
  private LogText() {}

  /** {@code text} with every control character a space, cut to {@code maxChars}. */
  public static String oneLine(String text, int maxChars) {
    return cut(text, maxChars, ' ');
  }

  /**
   * {@code text} with every control character a {@code ?}, so that the reader sees one was there,
   * cut to {@code maxChars} and then marked with {@code ...}: for what a device or an attacker
   * sent.
   */
  public static String excerpt(String text, int maxChars) {
    String cut = cut(text, maxChars, '?');
    return cut.length() < text.length() ? cut + "..." : cut;
  }

  private static String cut(String text, int maxChars, char replacement) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), maxChars) + 3);
    for (int i = 0; i < text.length() && out.length() < maxChars; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) ? replacement : c);
    }
    int last = out.length() - 1;
    if (last >= 0 && Character.isHighSurrogate(out.charAt(last))) {
      out.setLength(last);
    }
    return out.toString();
  }
}
