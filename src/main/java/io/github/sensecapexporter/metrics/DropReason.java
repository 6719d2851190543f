package io.github.sensecapexporter.metrics;

import java.util.Locale;

/**
 * Why a message left no sample; the label value of {@code
 * sensecap_exporter_messages_dropped_total}.
 */
public enum DropReason {
  INVALID_TOPIC,
  INVALID_PAYLOAD,
  NON_NUMERIC,
  OUT_OF_ORDER,
  SERIES_LIMIT,
  PAYLOAD_TOO_LARGE,
  /** A PUBLISH the broker must not send: QoS 2 (never granted) or malformed. */
  PROTOCOL_ERROR;

  private final String label = name().toLowerCase(Locale.ROOT);

  public String label() {
    return label;
  }
}
