package io.github.sensecapexporter.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Sends every log line, ours and the libraries', to standard error, one line per event. */
public final class LogSetup {
  /** Libraries whose INFO lines would drown ours; they speak from WARN on unless we trace. */
  private static final String[] CHATTY = {"io.moquette", "io.netty", "org.eclipse.paho"};

  private LogSetup() {}

  /**
   * Keeps logging alive during shutdown. The JDK's LogManager resets every logger from a shutdown
   * hook of its own, racing ours, so "shutting down" and "disconnected" lines would be lost. Main
   * installs this manager before any logger exists.
   */
  public static final class ShutdownSafeLogManager extends LogManager {
    @Override
    public void reset() {
      // Only configure() below resets the loggers.
    }

    private void resetNow() {
      super.reset();
    }
  }

  /** Installs {@link ShutdownSafeLogManager}; must run before the first logger is created. */
  public static void installLogManager() {
    System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
  }

  public static void configure(Level level) {
    LogManager manager = LogManager.getLogManager();
    if (manager instanceof ShutdownSafeLogManager safe) {
      safe.resetNow();
    } else {
      manager.reset();
    }
    Logger root = Logger.getLogger("");
    Handler handler = new ConsoleHandler(); // writes to System.err
    handler.setFormatter(new OneLineFormatter());
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    root.setLevel(level);
    for (String name : CHATTY) {
      Logger.getLogger(name)
          .setLevel(level.intValue() <= Level.FINEST.intValue() ? level : Level.WARNING);
    }
  }

  /** {@code 2026-01-01T00:00:00.000Z INFO MqttSubscriber: message [: cause]}. */
  static final class OneLineFormatter extends Formatter {
    @Override
    public String format(LogRecord record) {
      StringBuilder line = new StringBuilder(160);
      line.append(Instant.ofEpochMilli(record.getMillis()))
          .append(' ')
          .append(levelName(record.getLevel()))
          .append(' ')
          .append(shortName(record.getLoggerName()))
          .append(": ")
          .append(formatMessage(record));
      Throwable thrown = record.getThrown();
      if (thrown != null) {
        line.append(" [").append(thrown).append(']');
        if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
          // An unexpected failure: its stack trace, folded into the same line.
          StringWriter trace = new StringWriter();
          thrown.printStackTrace(new PrintWriter(trace));
          line.append(' ').append(trace.toString().replace('\n', '|').replace("\t", ""));
        }
      }
      return line.append(System.lineSeparator()).toString();
    }

    private static String levelName(Level level) {
      int value = level.intValue();
      if (value >= Level.SEVERE.intValue()) {
        return "ERROR";
      } else if (value >= Level.WARNING.intValue()) {
        return "WARN ";
      } else if (value >= Level.INFO.intValue()) {
        return "INFO ";
      } else if (value >= Level.FINE.intValue()) {
        return "DEBUG";
      }
      return "TRACE";
    }

    private static String shortName(String loggerName) {
      if (loggerName == null) {
        return "-";
      }
      return loggerName.substring(loggerName.lastIndexOf('.') + 1);
    }
  }
}
