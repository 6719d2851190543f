package io.github.sensecapexporter.collector;

/**
 * A gauge's HELP and TYPE lines, and its name, which starts each of its sample lines; with the
 * label bytes the store's and the fleet's families share.
 */
record Gauge(byte[] header, byte[] name) {
  /** Opens a sample line's labels with the device's EUI, the label every device series has. */
  static final byte[] DEVICE = TextOutput.utf8("{device_eui=\"");

  /** Closes the last label value and the labels, before the sample's value. */
  static final byte[] LABELS_END = TextOutput.utf8("\"} ");

  Gauge(String name, String help) {
    this(
        TextOutput.utf8("# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n"),
        TextOutput.utf8(name));
  }
}
