package io.github.sensecapexporter.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects every log record of the JVM while open, message and exception text included. */
public final class LogCapture extends Handler implements AutoCloseable {
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Logger root = Logger.getLogger("");
  private final Level previous;

  public LogCapture(Level level) {
    setLevel(Level.ALL);
    previous = root.getLevel();
    root.setLevel(level);
    root.addHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  /** Every record as one text: level, message, parameters and exception with its causes. */
  public List<String> lines() {
    return records.stream().map(LogCapture::text).toList();
  }

  /** The lines of one class's logger: what else the JVM runs meanwhile logs elsewhere. */
  public List<String> linesFrom(Class<?> source) {
    return records.stream()
        .filter(r -> source.getName().equals(r.getLoggerName()))
        .map(LogCapture::text)
        .toList();
  }

  public long count(Level level, String fragment) {
    return records.stream()
        .filter(r -> r.getLevel().equals(level) && text(r).contains(fragment))
        .count();
  }

  private static String text(LogRecord record) {
    StringBuilder text = new StringBuilder(record.getLevel() + " " + record.getMessage());
    if (record.getParameters() != null) {
      for (Object parameter : record.getParameters()) {
        text.append(' ').append(parameter);
      }
    }
    for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
      text.append(" | ").append(t);
    }
    return text.toString();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
    root.setLevel(previous);
  }
}
