package io.github.sensecapexporter.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogTextTest {
  @Test
  void aLogMessageIsCutTheSameWayAsALabel() {
    assertEquals("a b", LogText.oneLine("a\rb", 10));
    assertEquals("ab", LogText.oneLine("ab\uD83D\uDE00", 3));
  }

  @Test
  void anExcerptShowsWhatWasReplacedAndWhereItWasCut() {
    assertEquals("a?b", LogText.excerpt("a\nb", 10));
    assertEquals("abc...", LogText.excerpt("abcdef", 3));
    assertEquals("ab...", LogText.excerpt("ab\uD83D\uDE00", 3));
  }
}
