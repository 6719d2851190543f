package io.github.sensecapexporter.parse;

/**
 * A parsed OpenStream topic. For a status event {@code channel} and {@code sensorEui} are empty and
 * {@code id} is the status ID; for a sensor reading {@code id} is the measurement ID.
 */
public record Topic(Kind kind, String deviceEui, String channel, String sensorEui, String id) {

  /** Which of OpenStream's two topic trees a message came from. */
  public enum Kind {
    MEASUREMENT,
    STATUS
  }
}
