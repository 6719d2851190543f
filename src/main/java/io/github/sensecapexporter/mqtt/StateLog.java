package io.github.sensecapexporter.mqtt;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs a connection state once when it changes; the same state again goes to DEBUG, so a broker
 * that stays down costs one line, not one per retry. A state names the kind of event, so that
 * details that vary between retries do not count as a change.
 */
final class StateLog {
  private final Logger logger;
  private String last = "";

  StateLog(Logger logger) {
    this.logger = logger;
  }

  void log(Level level, String state, String message) {
    if (state.equals(last)) {
      logger.fine(message);
    } else {
      last = state;
      logger.log(level, message);
    }
  }
}
