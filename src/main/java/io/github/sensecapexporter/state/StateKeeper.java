package io.github.sensecapexporter.state;

import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.store.Sample;
import io.github.sensecapexporter.store.SeriesStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.logging.Logger;

/**
 * Restores the store from its state file at start-up and saves it back. Only {@link #open()} can
 * fail, at start-up; a save that fails is logged and counted, and the exporter goes on.
 */
public final class StateKeeper {
  private static final Logger LOG = Logger.getLogger(StateKeeper.class.getName());

  private final StateFile file;
  private final SeriesStore store;
  private final ExporterMetrics metrics;
  private final Clock clock;

  public StateKeeper(Path path, SeriesStore store, ExporterMetrics metrics, Clock clock) {
    this.file = new StateFile(path);
    this.store = store;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Checks that the state can be saved, then restores it.
   *
   * @throws IOException when the state file's directory cannot be written in
   */
  public void open() throws IOException {
    file.checkWritable();
    restore();
  }

  /** Loads the saved series that have not expired; a corrupt file is reported and set aside. */
  private void restore() {
    int[] counts = new int[2];
    try {
      boolean found =
          file.load(
              (key, sample) -> {
                counts[store.restore(key, sample) ? 0 : 1]++;
              });
      if (found) {
        LOG.info(
            "restored "
                + counts[0]
                + " series from "
                + file.path()
                + (counts[1] > 0 ? " (" + counts[1] + " expired or over the series limit)" : ""));
      } else {
        LOG.info("no state file at " + file.path() + " yet; starting empty");
      }
    } catch (StateFile.CorruptStateException e) {
      String aside;
      try {
        aside = "moved to " + file.setAside();
      } catch (IOException moveFailure) {
        aside = "could not move it aside (" + moveFailure.getMessage() + ")";
      }
      LOG.warning(
          "state file "
              + file.path()
              + " is corrupt ("
              + e.getMessage()
              + "); "
              + aside
              + "; starting empty");
    } catch (IOException e) {
      LOG.warning("cannot read state file " + file.path() + " (" + e + "); starting empty");
    }
  }

  /** Saves every live series; synchronized, as the periodic save may still run at shutdown. */
  public synchronized void save() {
    try {
      int saved =
          file.save(
              sink ->
                  store.forEachLive(
                      (key, value, timestampMillis, receivedMillis) ->
                          sink.accept(key, new Sample(value, timestampMillis, receivedMillis))));
      metrics.stateSaved(clock.millis());
      LOG.fine("saved " + saved + " series to " + file.path());
    } catch (IOException | RuntimeException e) {
      metrics.stateSaveFailed();
      LOG.warning("cannot save state to " + file.path() + ": " + e);
    }
  }
}
