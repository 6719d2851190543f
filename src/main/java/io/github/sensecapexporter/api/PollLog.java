package io.github.sensecapexporter.api;

import io.github.sensecapexporter.concurrent.UncaughtExceptions;
import io.github.sensecapexporter.fleet.Device;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.logging.LogText;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the log says of polls: a problem when it begins, not on every poll, and once when the API
 * answers again; never the key nor the header that carries it, whatever an answer quotes.
 */
final class PollLog {
  /** The poller's logger, as before polls had classes of their own. */
  private static final Logger LOG = Logger.getLogger(ApiPoller.class.getName());

  /** Log messages are cut here: long enough for a TLS failure's reason. */
  private static final int MAX_MESSAGE_CHARS = 200;

  private Set<String> failing = Set.of();
  private boolean succeeded;

  /** A poll that published {@code read}, with the batches that failed on the way. */
  void polled(List<ApiClient.Failure> problems, Fleet read) {
    report(problems, false, read);
  }

  /** A poll that kept the last snapshot. */
  void aborted(ApiClient.Failure failure) {
    report(List.of(failure), true, null);
  }

  private void report(List<ApiClient.Failure> problems, boolean aborted, Fleet read) {
    Set<String> now = new LinkedHashSet<>();
    for (ApiClient.Failure e : problems) {
      String problem = e.call().path() + " " + e.code();
      now.add(problem);
      if (failing.contains(problem)) {
        LOG.fine("SenseCAP HTTP API: " + problem + " again");
        continue;
      }
      String meaning = ApiResponses.meaning(e.code());
      LOG.warning(
          "SenseCAP HTTP API: "
              + e.call().path()
              + " failed with code "
              + e.code()
              + (meaning.isEmpty() ? "" : " (" + meaning + ")")
              + (e.getMessage().isEmpty() ? "" : ": " + printable(e.getMessage()))
              + (aborted
                  ? "; keeping the last metadata and trying again at the next refresh"
                  : "; the devices of that batch keep their names and groups, their details from"
                      + " the last poll, and no status"));
    }
    if (read != null && now.isEmpty()) {
      Level level = succeeded && failing.isEmpty() ? Level.FINE : Level.INFO;
      LOG.log(
          level,
          (failing.isEmpty() ? "SenseCAP HTTP API: " : "SenseCAP HTTP API answers again: ")
              + read.devices().size()
              + " devices in "
              + read.devices().values().stream().map(Device::group).distinct().count()
              + " groups, gateways: "
              + read.gateways().size());
      succeeded = true;
    }
    failing = now;
  }

  /**
   * Never the key nor the header that carries it, whatever an answer quotes: the secrets Main gave
   * {@link UncaughtExceptions#install}; short, one line.
   */
  private static String printable(String message) {
    return LogText.oneLine(UncaughtExceptions.masked(message), MAX_MESSAGE_CHARS);
  }
}
