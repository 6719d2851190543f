package io.github.sensecapexporter.concurrent;

import java.util.concurrent.ThreadFactory;

/** Threads that never keep the JVM alive: shutdown is the shutdown hook's business. */
public final class DaemonThreads {
  private DaemonThreads() {}

  public static ThreadFactory named(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
