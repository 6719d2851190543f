package io.github.sensecapexporter.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientIdConflictsTest {
  private long nanos;
  private final ClientIdConflicts conflicts = new ClientIdConflicts(() -> nanos);

  private boolean connection(Duration lasting) {
    conflicts.connected();
    nanos += lasting.toNanos();
    return conflicts.lost();
  }

  @Test
  void aConnectionUnderThirtySecondsIsShort() {
    assertTrue(connection(Duration.ofMillis(29_999)));
    assertFalse(connection(Duration.ofSeconds(30)));
  }

  @Test
  void threeShortConnectionsInARowMakeAConflictLikely() {
    connection(Duration.ofSeconds(1));
    connection(Duration.ofSeconds(1));
    assertFalse(conflicts.likely());
    connection(Duration.ofSeconds(1));
    assertTrue(conflicts.likely());
    assertEquals(3, conflicts.shortInARow());
  }

  @Test
  void aStableConnectionStartsTheCountAgain() {
    connection(Duration.ofSeconds(1));
    connection(Duration.ofSeconds(1));
    connection(Duration.ofMinutes(5));
    assertEquals(0, conflicts.shortInARow());
    connection(Duration.ofSeconds(1));
    assertFalse(conflicts.likely());
  }

  @Test
  void staysLikelyUntilReset() {
    for (int i = 0; i < 4; i++) {
      connection(Duration.ofSeconds(1));
    }
    assertTrue(conflicts.likely());
    assertEquals(4, conflicts.shortInARow());
    conflicts.reset();
    assertFalse(conflicts.likely());
    assertEquals(0, conflicts.shortInARow());
  }
}
