package io.github.sensecapexporter.collector;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Names and units of SenseCAP measurement and status IDs, from the bundled catalogue. */
public final class MeasurementCatalogue {
  private static final String RESOURCE = "/io/github/sensecapexporter/measurements.tsv";

  /** The name and unit of one ID; the unit may be empty. */
  public record Entry(String name, String unit) {}

  private final Map<String, Entry> entries;

  private MeasurementCatalogue(Map<String, Entry> entries) {
    this.entries = Map.copyOf(entries);
  }

  public static MeasurementCatalogue bundled() {
    try (InputStream in = MeasurementCatalogue.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      Map<String, Entry> entries = new HashMap<>();
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] fields = line.split("\t", -1);
        if (fields.length != 3 || entries.put(fields[0], new Entry(fields[1], fields[2])) != null) {
          throw new IllegalStateException(RESOURCE + ": bad or repeated row: " + line);
        }
      }
      return new MeasurementCatalogue(entries);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The entry for {@code id}, or null when SenseCAP's lists do not know it. */
  public Entry lookup(String id) {
    return entries.get(id);
  }
}
