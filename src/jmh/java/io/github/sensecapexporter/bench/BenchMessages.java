package io.github.sensecapexporter.bench;

import java.nio.charset.StandardCharsets;

/** The handler benchmarks' feed: 12 measurements a device, one body a series. */
final class BenchMessages {
  private BenchMessages() {}

  static String topic(int series) {
    return String.format(
        "/device_sensor_data/521853156991/2CF7F1C0%08X/1/2CF7F1C0%08X/%d",
        series / 12, series / 12, 4097 + series % 12);
  }

  static byte[] body(int series, long timestamp) {
    return ("{\"value\":" + series + ".5,\"timestamp\":" + (timestamp + series) + "}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
