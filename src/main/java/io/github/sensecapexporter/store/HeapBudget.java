package io.github.sensecapexporter.store;

import java.util.Optional;

/**
 * The heap the exporter may need for {@code max-series} series: README.md, "Sizing". {@code
 * bin/sensecap-exporter} sizes the JVM's heap by the same figures, with room for the collector.
 */
public final class HeapBudget {
  /** The most a series holds, whatever a broker sends: its labels at their longest. */
  public static final long MAX_BYTES_PER_SERIES = 512;

  /** Everything but the series: the configuration, the MQTT client, buffers, the JDK's own. */
  static final long BASE_BYTES = 16L << 20;

  private HeapBudget() {}

  public static long bytesFor(int maxSeries) {
    return BASE_BYTES + maxSeries * MAX_BYTES_PER_SERIES;
  }

  /** What to tell an operator whose JVM was started with too little heap for max-series. */
  public static Optional<String> warning(int maxSeries, long maxHeapBytes) {
    long needed = bytesFor(maxSeries);
    if (maxHeapBytes >= needed) {
      return Optional.empty();
    }
    return Optional.of(
        "sensecap.series.max-series = "
            + maxSeries
            + " may need "
            + mib(needed)
            + " MiB of heap, more than the JVM's limit of "
            + mib(maxHeapBytes)
            + " MiB: start with bin/sensecap-exporter, which sizes it, or raise -Xmx"
            + " (README.md, Sizing)");
  }

  private static long mib(long bytes) {
    return (bytes + (1 << 20) - 1) >> 20;
  }
}
