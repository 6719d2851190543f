package io.github.sensecapexporter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeapBudgetTest {
  @Test
  void aSeriesAtItsLargestAndTheBase() {
    assertEquals((16L << 20) + 200_000L * 512, HeapBudget.bytesFor(200_000));
  }

  @Test
  void saysNothingWhenTheHeapIsEnough() {
    assertEquals(Optional.empty(), HeapBudget.warning(200_000, HeapBudget.bytesFor(200_000)));
  }

  @Test
  void warnsAByteShort() {
    assertTrue(HeapBudget.warning(200_000, HeapBudget.bytesFor(200_000) - 1).isPresent());
  }

  @Test
  void namesTheKeyAndBothFiguresWhenItIsNot() {
    String warning = HeapBudget.warning(1_000_000, 64L << 20).orElseThrow();
    assertTrue(
        warning.startsWith(
            "sensecap.series.max-series = 1000000 may need 505 MiB of heap, more than the JVM's"
                + " limit of 64 MiB"),
        warning);
  }
}
