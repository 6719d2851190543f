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

  private static final int INITIAL_BITS = 6;

  private final Label label;
  private SeriesKey[] keys = new SeriesKey[1 << INITIAL_BITS];
  private long[] newest = new long[keys.length];

  /** 32 minus the bits of the capacity: what a hash is shifted right by to give a slot. */
  private int shift = 32 - INITIAL_BITS;

  private int size;

  LabelTable(Label label) {
    this.label = label;
  }

  /** Records the key's value of the label, keeping the newest of the timestamps given with it. */
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
    for (int slot = hash(labels, start, end) >>> shift; ; slot = (slot + 1) & mask) {
      SeriesKey held = keys[slot];
      if (held == null
          || Arrays.equals(
              held.encodedLabels(), label.start(held), label.end(held), labels, start, end)) {
        return slot;
      }
    }
  }

  /**
   * Fibonacci hashing: the multiplication spreads every byte into the high bits, which give the
   * slot, so EUIs that differ only in their last digits land far apart.
   */
  private static int hash(byte[] bytes, int start, int end) {
    int hash = 1;
    for (int i = start; i < end; i++) {
      hash = 31 * hash + bytes[i];
    }
    return hash * 0x9E3779B9;
  }

  private void grow() {
    SeriesKey[] oldKeys = keys;
    long[] oldNewest = newest;
    keys = new SeriesKey[oldKeys.length * 2];
    newest = new long[keys.length];
    shift--;
    int mask = keys.length - 1;
    for (int old = 0; old < oldKeys.length; old++) {
      SeriesKey key = oldKeys[old];
      if (key != null) {
        byte[] labels = key.encodedLabels();
        // Values are distinct here: the first free slot is the one.
        int slot = hash(labels, label.start(key), label.end(key)) >>> shift;
        while (keys[slot] != null) {
          slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        newest[slot] = oldNewest[old];
      }
    }
  }
}
