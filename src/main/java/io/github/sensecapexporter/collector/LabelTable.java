package io.github.sensecapexporter.collector;

import io.github.sensecapexporter.store.SeriesKey;
import java.io.IOException;
import java.util.Arrays;

/**
 * The distinct values of one label among the series of a scrape, each with the newest timestamp of
 * its series. An open-addressing table that holds the series' own keys and compares their label
 * bytes in place: a scrape of a large fleet then makes no string and no map entry per series, and a
 * collection that falls during it has two arrays to copy, not a map of strings, while the MQTT
 * callback waits.
 */
final class LabelTable {
  /** A label value as a range of {@link SeriesKey#encodedLabels()}. */
  enum Label {
    DEVICE_EUI {
      @Override
      int start(SeriesKey key) {
        return 0;
      }

      @Override
      int end(SeriesKey key) {
        return key.deviceEuiEnd();
      }
    },
    /** The measurement or status ID. */
    ID {
      @Override
      int start(SeriesKey key) {
        return key.idStart();
      }

      @Override
      int end(SeriesKey key) {
        return key.encodedLabels().length;
      }
    };

    abstract int start(SeriesKey key);

    abstract int end(SeriesKey key);
  }

  /** Receives each distinct value, as bytes of a key's labels, and its newest timestamp. */
  interface Visitor {
    void visit(byte[] labels, int offset, int length, long newestMillis) throws IOException;
  }

  private static final int INITIAL_CAPACITY = 64;

  private final Label label;
  private SeriesKey[] keys = new SeriesKey[INITIAL_CAPACITY];
  private long[] newest = new long[INITIAL_CAPACITY];
  private int size;

  LabelTable(Label label) {
    this.label = label;
  }

  /** Counts the key's value of the label, keeping the newest of the timestamps given with it. */
  void add(SeriesKey key, long timestampMillis) {
    int slot = find(key);
    if (keys[slot] == null) {
      keys[slot] = key;
      newest[slot] = timestampMillis;
      if (++size * 2 > keys.length) {
        grow();
      }
    } else if (timestampMillis > newest[slot]) {
      newest[slot] = timestampMillis;
    }
  }

  void forEach(Visitor visitor) throws IOException {
    for (int slot = 0; slot < keys.length; slot++) {
      SeriesKey key = keys[slot];
      if (key != null) {
        int start = label.start(key);
        visitor.visit(key.encodedLabels(), start, label.end(key) - start, newest[slot]);
      }
    }
  }

  /** The slot that holds the key's value, or the empty slot where it belongs. */
  private int find(SeriesKey key) {
    byte[] labels = key.encodedLabels();
    int start = label.start(key);
    int end = label.end(key);
    int mask = keys.length - 1;
    for (int slot = hash(labels, start, end) & mask; ; slot = (slot + 1) & mask) {
      SeriesKey held = keys[slot];
      if (held == null
          || Arrays.equals(
              held.encodedLabels(), label.start(held), label.end(held), labels, start, end)) {
        return slot;
      }
    }
  }

  private static int hash(byte[] bytes, int start, int end) {
    int hash = 1;
    for (int i = start; i < end; i++) {
      hash = 31 * hash + bytes[i];
    }
    return hash ^ (hash >>> 16);
  }

  private void grow() {
    SeriesKey[] oldKeys = keys;
    long[] oldNewest = newest;
    keys = new SeriesKey[oldKeys.length * 2];
    newest = new long[oldKeys.length * 2];
    for (int slot = 0; slot < oldKeys.length; slot++) {
      if (oldKeys[slot] != null) {
        int moved = find(oldKeys[slot]);
        keys[moved] = oldKeys[slot];
        newest[moved] = oldNewest[slot];
      }
    }
  }
}
