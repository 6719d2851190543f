package io.github.sensecapexporter.fleet;

import io.github.sensecapexporter.logging.LogText;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An immutable snapshot of the fleet's metadata, devices and gateways by EUI, in EUI order so that
 * /metrics lists them the same way on every scrape.
 */
public record Fleet(Map<String, Device> devices, Map<String, Gateway> gateways) {
  public static final Fleet EMPTY = new Fleet(Map.of(), Map.of());

  /**
   * Label values from the API or a file are the operator's words: long enough for any real name,
   * short enough that a runaway one cannot bloat every scrape.
   */
  public static final int MAX_LABEL_CHARS = 128;

  private static final Pattern EUI = Pattern.compile("[0-9A-Fa-f]{16}");

  public Fleet {
    devices = Collections.unmodifiableMap(new TreeMap<>(devices));
    gateways = Collections.unmodifiableMap(new TreeMap<>(gateways));
  }

  /** True for 16 hexadecimal digits, the form of a device EUI. */
  public static boolean isEui(String text) {
    return text != null && EUI.matcher(text).matches();
  }

  /** An EUI as the MQTT topics spell it, so that metadata and readings join on device_eui. */
  public static String normalEui(String eui) {
    return eui.toUpperCase(Locale.ROOT);
  }

  /** {@code text} on one line and at most {@link #MAX_LABEL_CHARS} characters; null is empty. */
  static String label(String text) {
    return text == null ? "" : LogText.oneLine(text.strip(), MAX_LABEL_CHARS);
  }

  /**
   * This fleet with {@code manual}'s devices laid over it: a field both give is the manual one's,
   * and a device only {@code manual} knows is added.
   */
  public Fleet overriddenBy(Fleet manual) {
    if (manual.devices.isEmpty()) {
      return this;
    }
    Map<String, Device> merged = new TreeMap<>(devices);
    manual.devices.forEach(
        (eui, device) -> merged.merge(eui, device, (mine, theirs) -> mine.overriddenBy(theirs)));
    return new Fleet(merged, gateways);
  }

  /**
   * This fleet without what was true when the platform was asked (online, last uplink), for a
   * snapshot whose status is too old to be shown as current. A report interval describes the device
   * and stays.
   */
  public Fleet withoutStatus() {
    Map<String, Device> stale = new TreeMap<>();
    devices.forEach(
        (eui, device) ->
            stale.put(
                eui,
                device.withStatus(
                    Optional.empty(), device.reportIntervalSeconds(), OptionalLong.empty())));
    Map<String, Gateway> offline = new TreeMap<>();
    gateways.forEach((eui, gateway) -> offline.put(eui, gateway.withOnline(Optional.empty())));
    return new Fleet(stale, offline);
  }
}
