package io.github.sensecapexporter.state;

import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.fleet.FleetMetadata;
import io.github.sensecapexporter.ingest.MessageHandler;
import io.github.sensecapexporter.logging.RateLimitedLog;
import io.github.sensecapexporter.metrics.ExporterMetrics;
import io.github.sensecapexporter.store.Sample;
import io.github.sensecapexporter.store.SeriesStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Restores the store from its state file at start-up and saves it back. Only {@link #open()} can
 * fail, at start-up; a save that fails is logged and counted, and the exporter goes on.
 */
public final class StateKeeper {
  private static final Logger LOG = Logger.getLogger(StateKeeper.class.getName());

  /**
   * A save that fails once fails every save-interval until someone acts; the log says so once an
   * hour, sensecap_exporter_state_save_failures_total counts every one.
   */
  static final Duration SAVE_FAILURE_LOG_INTERVAL = Duration.ofHours(1);

  static final String CORRUPT_SUFFIX = ".corrupt";
  static final String OTHER_ORGANISATION_SUFFIX = ".other-org";

  private final StateFile file;
  private final String orgId;
  private final SeriesStore store;
  private final ExporterMetrics metrics;
  private final Clock clock;
  private final Optional<FleetMetadata> apiFleet;
  private final RateLimitedLog saveFailureLog;
  private int failedSaves;

  /**
   * {@code apiFleet} is present when the SenseCAP HTTP API is used: what it said last is kept too,
   * so that dashboards have names at once after a restart, before the first poll.
   */
  public StateKeeper(
      Path path,
      String orgId,
      SeriesStore store,
      ExporterMetrics metrics,
      Clock clock,
      Optional<FleetMetadata> apiFleet) {
    this.file = new StateFile(path, orgId);
    this.orgId = orgId;
    this.store = store;
    this.metrics = metrics;
    this.clock = clock;
    this.apiFleet = apiFleet;
    this.saveFailureLog = new RateLimitedLog(LOG, clock, SAVE_FAILURE_LOG_INTERVAL);
  }

  /**
   * Checks that the state can be saved, then restores it.
   *
   * @throws IOException when the state file's directory cannot be written in, or the file exists
   *     but cannot be read: it is left as it is, neither moved nor overwritten by the next save
   */
  public void open() throws IOException {
    file.checkWritable();
    try {
      restore();
    } catch (IOException e) {
      throw new IOException(e.getMessage() + "; it is left as it is", e);
    }
  }

  /**
   * Loads the saved series that the live feed would accept: not expired, not stamped more than an
   * hour ahead. A corrupt file, or another organisation's, is reported and set aside.
   */
  private void restore() throws IOException {
    long now = clock.millis();
    int[] restored = new int[1];
    int[] refused = new int[1];
    int[] ahead = new int[1];
    Fleet[] fleet = {Fleet.EMPTY};
    try {
      boolean found =
          file.load(
              (key, sample) -> {
                if (MessageHandler.isTooFarAhead(sample.timestampMillis(), now)) {
                  ahead[0]++; // held, it would refuse every true reading until it expired
                } else if (store.restore(key, sample)) {
                  restored[0]++;
                } else {
                  refused[0]++;
                }
              },
              saved -> fleet[0] = saved);
      if (found) {
        apiFleet.ifPresent(metadata -> metadata.replaceFromApi(fleet[0]));
        LOG.info(
            "restored "
                + restored[0]
                + " series from "
                + file.path()
                + (refused[0] > 0 ? " (" + refused[0] + " expired or over the series limit)" : "")
                + (ahead[0] > 0
                    ? " (" + ahead[0] + " stamped more than an hour ahead, not restored)"
                    : "")
                + (apiFleet.isPresent() && !fleet[0].devices().isEmpty()
                    ? " and the names of " + fleet[0].devices().size() + " devices"
                    : ""));
      } else {
        LOG.info("no state file at " + file.path() + " yet; starting empty");
      }
    } catch (StateFile.CorruptStateException e) {
      LOG.warning(
          "state file "
              + file.path()
              + " is corrupt ("
              + e.getMessage()
              + "); "
              + setAside(CORRUPT_SUFFIX)
              + "; starting empty");
    } catch (StateFile.OtherOrganisationException e) {
      LOG.warning(
          "state file "
              + file.path()
              + " holds the series of organisation "
              + e.orgId()
              + ", not of "
              + orgId
              + " (sensecap.org-id); "
              + setAside(OTHER_ORGANISATION_SUFFIX)
              + "; starting empty");
    }
  }

  private String setAside(String suffix) {
    try {
      return "moved to " + file.setAside(suffix);
    } catch (IOException e) {
      return "could not move it aside (" + e.getMessage() + ")";
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
                          sink.accept(key, new Sample(value, timestampMillis, receivedMillis))),
              apiFleet.map(FleetMetadata::fromApi).orElse(Fleet.EMPTY));
      metrics.stateSaved(clock.millis());
      if (failedSaves > 0) {
        LOG.info("saved state to " + file.path() + " again after " + failedSaves + " failed saves");
        failedSaves = 0;
      }
      LOG.fine("saved " + saved + " series to " + file.path());
    } catch (IOException | RuntimeException e) {
      metrics.stateSaveFailed();
      failedSaves++;
      saveFailureLog.log(Level.WARNING, "save", "cannot save state to " + file.path() + ": " + e);
    }
  }
}
