package io.github.sensecapexporter.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FleetTest {
  private static final String ROOM = "2CF7F1C044300001";
  private static final String OTHER = "2CF7F1C044300002";

  @Test
  void aLabelIsOneLineStrippedAndBounded() {
    assertEquals("", Fleet.label(null));
    assertEquals("a b", Fleet.label("  a\nb\t "));
    assertEquals("x".repeat(Fleet.MAX_LABEL_CHARS), Fleet.label("x".repeat(1000)));
  }

  @Test
  void aSurrogatePairIsNeverCutInHalf() {
    // An emoji, two chars, across the cut: left out whole, so the label stays valid UTF-8.
    String cut = "x".repeat(Fleet.MAX_LABEL_CHARS - 1) + "\uD83D\uDE00" + "tail";
    String label = Fleet.label(cut);
    assertEquals("x".repeat(Fleet.MAX_LABEL_CHARS - 1), label);
    assertEquals(label, new String(label.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    // One that fits stays.
    String fits = "x".repeat(Fleet.MAX_LABEL_CHARS - 2) + "\uD83D\uDE00";
    assertEquals(fits, Fleet.label(fits + "tail"));
  }

  @Test
  void theFileWinsFieldByFieldAndAddsWhatOnlyItKnows() {
    Device fromApi =
        Device.listed(ROOM, "HQ 001", "HQ")
            .withDetails("", "LoRaWAN", "1.0", "2.0", OptionalDouble.of(47), OptionalDouble.of(8))
            .withStatus(Optional.of(true), OptionalLong.of(300), OptionalLong.of(1000));
    Fleet api = new Fleet(Map.of(ROOM, fromApi), Map.of());
    Fleet manual =
        new Fleet(
            Map.of(
                ROOM,
                Device.manual(
                    ROOM, "Meeting room 3", "", OptionalDouble.of(1), OptionalDouble.of(2)),
                OTHER,
                Device.listed(OTHER, "", "Cellar")),
            Map.of());
    Fleet merged = api.overriddenBy(manual);
    Device room = merged.devices().get(ROOM);
    assertEquals("Meeting room 3", room.name());
    assertEquals("HQ", room.group(), "a field the file leaves out is the API's");
    assertEquals("LoRaWAN", room.network());
    assertEquals(OptionalDouble.of(1), room.latitude());
    assertEquals(OptionalDouble.of(2), room.longitude());
    assertEquals(Optional.of(true), room.online());
    assertEquals(Device.listed(OTHER, "", "Cellar"), merged.devices().get(OTHER));
    assertSame(api, api.overriddenBy(Fleet.EMPTY));
  }
}
