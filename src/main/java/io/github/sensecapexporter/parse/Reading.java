package io.github.sensecapexporter.parse;

/** What a message body says: a number with its measurement time, or why it has none. */
public record Reading(Status status, double value, long timestampMillis) {

  /** How the body was understood. */
  public enum Status {
    /** A finite number. */
    NUMERIC,
    /** Well-formed, but the value is an array, an object or a string that holds no number. */
    NON_NUMERIC,
    /** Not JSON, not an object, no value, or a value or timestamp that cannot be used. */
    INVALID
  }

  /** {@link #timestampMillis()} when the body carries no timestamp. */
  public static final long NO_TIMESTAMP = Long.MIN_VALUE;

  static final Reading INVALID = new Reading(Status.INVALID, Double.NaN, NO_TIMESTAMP);
  static final Reading NON_NUMERIC = new Reading(Status.NON_NUMERIC, Double.NaN, NO_TIMESTAMP);

  public boolean hasTimestamp() {
    return timestampMillis != NO_TIMESTAMP;
  }
}
