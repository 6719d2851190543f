package io.github.sensecapexporter.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StateLogTest {
  private final List<String> records = new ArrayList<>();
  private final Logger logger = Logger.getLogger(StateLogTest.class.getName());
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          records.add(record.getLevel() + " " + record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private final StateLog log = new StateLog(logger);

  StateLogTest() {
    logger.setUseParentHandlers(false);
    logger.setLevel(Level.ALL);
    logger.addHandler(capture);
  }

  @AfterEach
  void detach() {
    logger.removeHandler(capture);
  }

  @Test
  void aNewStateIsLoggedAtItsLevelAndTheSameStateAgainAtDebug() {
    log.log(Level.WARNING, "connect failed: reason 5", "refused (attempt 1)");
    log.log(Level.WARNING, "connect failed: reason 5", "refused (attempt 2)");
    log.log(Level.WARNING, "connect failed: reason 5", "refused (attempt 3)");
    assertEquals(
        List.of(
            "WARNING refused (attempt 1)", "FINE refused (attempt 2)", "FINE refused (attempt 3)"),
        records);
  }

  @Test
  void everyChangeOfStateIsLoggedAtItsLevel() {
    log.log(Level.WARNING, "lost", "lost connection");
    log.log(Level.INFO, "connected", "connected");
    log.log(Level.WARNING, "lost", "lost connection again");
    assertEquals(
        List.of("WARNING lost connection", "INFO connected", "WARNING lost connection again"),
        records);
  }
}
