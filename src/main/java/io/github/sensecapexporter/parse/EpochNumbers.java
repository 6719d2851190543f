package io.github.sensecapexporter.parse;

/**
 * The one rule, for the feed and the HTTP API alike, that tells epoch seconds from milliseconds.
 */
public final class EpochNumbers {
  /**
   * A time since the epoch below this (10^11) is in seconds, else in milliseconds. No seconds clock
   * reaches it before the year 5138 (a 32-bit one stops in 2106), and the only milliseconds below
   * it are before March 1973. A higher cut-off such as 10^12 would read a device's clock fallen
   * back to 1999 or 2000 (a GPS week rollover, a reset real-time clock), in milliseconds, as
   * seconds some 30,000 years ahead: refused from the feed, and shown from the API as an uplink in
   * the future that hides the device's silence.
   */
  public static final long SECONDS_BELOW = 100_000_000_000L;

  private EpochNumbers() {}
}
