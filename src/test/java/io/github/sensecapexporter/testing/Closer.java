package io.github.sensecapexporter.testing;

import java.util.ArrayList;
import java.util.List;

/** Closes what a test started, in reverse order, after the test. */
public final class Closer {
  private final List<AutoCloseable> started = new ArrayList<>();

  public <T extends AutoCloseable> T add(T closeable) {
    started.add(closeable);
    return closeable;
  }

  public void closeAll() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    started.clear();
  }
}
