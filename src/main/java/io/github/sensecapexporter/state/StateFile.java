package io.github.sensecapexporter.state;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.Sample;
import io.github.sensecapexporter.store.SeriesKey;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The latest sample of every series of one organisation on disk, so that a restart does not blank
 * the dashboards until the next hourly uplink. JSON: {@code
 * {"format":"sensecap-exporter-state","version":3,"org-id":"<org>","series":[
 * ["M","<device>","<channel>","<sensor>","<id>",value,timestampMillis,receivedMillis], ...],
 * "fleet":{...}}}, the fleet being what the SenseCAP HTTP API last said ({@link FleetJson}).
 * Version 2 has no {@code fleet}; version 1, written before the organisation was recorded, has no
 * {@code org-id} either and is read as the organisation's own: it can only come from an exporter
 * upgraded in place. Both still load, with an empty fleet.
 */
public final class StateFile {
  private static final Logger LOG = Logger.getLogger(StateFile.class.getName());

  static final String FORMAT = "sensecap-exporter-state";
  static final int VERSION = 3;
  private static final int VERSION_WITHOUT_FLEET = 2;
  private static final int VERSION_WITHOUT_ORGANISATION = 1;

  private final Path path;
  private final String orgId;

  public StateFile(Path path, String orgId) {
    this.path = path;
    this.orgId = orgId;
  }

  public Path path() {
    return path;
  }

  /**
   * Creates the directory if need be, then a file in it, which it deletes: so that a directory the
   * exporter cannot write in stops start-up, not only the first save, minutes later.
   */
  public void checkWritable() throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
      Files.delete(Files.createTempFile(parent, path.getFileName() + ".", ".probe"));
    } catch (IOException e) {
      throw new IOException("cannot write in " + parent + " (" + reason(e) + ")", e);
    }
  }

  /** What went wrong, in the words of the file system when it has some, on one line. */
  static String reason(IOException e) {
    if (e instanceof FileSystemException failure && failure.getReason() != null) {
      return failure.getReason();
    }
    return e.getClass().getSimpleName();
  }

  /**
   * Writes every series given to {@code forEach}, and {@code fleet}, to a temporary file, forces it
   * to disk and renames it over the state file, so that a crash at any moment leaves the old file
   * or the new one. Returns the number of series written.
   */
  public int save(Consumer<BiConsumer<SeriesKey, Sample>> forEach, Fleet fleet) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temporary = parent.resolve(path.getFileName() + ".tmp");
    try {
      int written = write(temporary, forEach, fleet);
      try {
        Files.move(
            temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
      }
      // The rename is in the directory: forced to disk too, it survives a power loss.
      try (FileChannel directory = FileChannel.open(parent, StandardOpenOption.READ)) {
        directory.force(true);
      }
      return written;
    } catch (IOException | RuntimeException e) {
      // A half-written file would only fill the disk; the state file itself is untouched.
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  private int write(Path temporary, Consumer<BiConsumer<SeriesKey, Sample>> forEach, Fleet fleet)
      throws IOException {
    int[] written = new int[1];
    try (FileChannel channel =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      OutputStream out = Channels.newOutputStream(channel);
      JsonWriter json =
          new JsonWriter(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)));
      json.beginObject();
      json.name("format").value(FORMAT);
      json.name("version").value(VERSION);
      json.name("org-id").value(orgId);
      json.name("series").beginArray();
      IOException[] failure = new IOException[1];
      forEach.accept(
          (key, sample) -> {
            if (failure[0] != null) {
              return;
            }
            try {
              json.beginArray()
                  .value(key.kind() == Topic.Kind.MEASUREMENT ? "M" : "S")
                  .value(key.deviceEui())
                  .value(key.channel())
                  .value(key.sensorEui())
                  .value(key.id())
                  .value(sample.value())
                  .value(sample.timestampMillis())
                  .value(sample.receivedMillis())
                  .endArray();
              written[0]++;
            } catch (IOException e) {
              failure[0] = e;
            }
          });
      if (failure[0] != null) {
        throw failure[0];
      }
      json.endArray();
      json.name("fleet");
      FleetJson.write(json, fleet);
      json.endObject();
      json.flush();
      channel.force(true);
    }
    return written[0];
  }

  /**
   * Reads every series into {@code sink} and the fleet into {@code fleetSink} (empty from a file of
   * an older version). Reads the whole file before giving anything to the sinks, so that a corrupt
   * or truncated file gives nothing. Returns false when there is no file.
   *
   * @throws OtherOrganisationException when the file holds another organisation's series
   * @throws CorruptStateException when the file was read but is not a state file
   * @throws IOException when the file cannot be read at all (permissions, an I/O error): nothing is
   *     known of its content, so it is not corrupt
   */
  public boolean load(BiConsumer<SeriesKey, Sample> sink, Consumer<Fleet> fleetSink)
      throws IOException {
    byte[] content;
    try {
      content = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new IOException("cannot read " + path + " (" + reason(e) + ")", e);
    }
    List<SeriesKey> keys = new ArrayList<>();
    List<Sample> samples = new ArrayList<>();
    Fleet fleet = Fleet.EMPTY;
    String fleetDamage = null;
    // The decoder reports malformed UTF-8 instead of replacing it.
    try (Reader in =
        new InputStreamReader(
            new ByteArrayInputStream(content), StandardCharsets.UTF_8.newDecoder())) {
      JsonReader json = new JsonReader(in);
      json.setStrictness(Strictness.STRICT);
      json.beginObject();
      expectName(json, "format");
      if (!FORMAT.equals(json.nextString())) {
        throw new CorruptStateException("not a sensecap-exporter state file");
      }
      expectName(json, "version");
      int version = json.nextInt();
      if (version == VERSION || version == VERSION_WITHOUT_FLEET) {
        expectName(json, "org-id");
        String found = json.nextString();
        if (!found.equals(orgId)) {
          throw new OtherOrganisationException(found);
        }
      } else if (version != VERSION_WITHOUT_ORGANISATION) {
        throw new CorruptStateException("unsupported version " + version);
      }
      expectName(json, "series");
      json.beginArray();
      while (json.hasNext()) {
        json.beginArray();
        String kind = json.nextString();
        SeriesKey key =
            new SeriesKey(
                switch (kind) {
                  case "M" -> Topic.Kind.MEASUREMENT;
                  case "S" -> Topic.Kind.STATUS;
                  default -> throw new CorruptStateException("unknown series kind " + kind);
                },
                json.nextString(),
                json.nextString(),
                json.nextString(),
                json.nextString());
        Sample sample = new Sample(json.nextDouble(), json.nextLong(), json.nextLong());
        json.endArray();
        keys.add(key);
        samples.add(sample);
      }
      json.endArray();
      if (version == VERSION) {
        expectName(json, "fleet");
        // Parsed whole first: a bad value inside costs the fleet, not the series.
        JsonElement saved = JsonParser.parseReader(json);
        try {
          fleet = FleetJson.read(saved);
        } catch (FleetJson.DamagedFleetException e) {
          fleetDamage = e.getMessage();
        }
      }
      json.endObject();
      if (json.peek() != JsonToken.END_DOCUMENT) {
        throw new CorruptStateException("data after the end");
      }
    } catch (CorruptStateException | OtherOrganisationException e) {
      throw e;
    } catch (IOException
        | IllegalStateException
        | IllegalArgumentException
        | JsonParseException e) {
      // The content is in memory: every exception here is about the content. Gson reports
      // malformed or truncated JSON by these, the decoder bad UTF-8, SeriesKey a label it cannot
      // hold.
      throw new CorruptStateException(e.getMessage());
    }
    for (int i = 0; i < keys.size(); i++) {
      sink.accept(keys.get(i), samples.get(i));
    }
    if (fleetDamage != null) {
      LOG.warning(
          "the fleet's metadata in "
              + path
              + " is damaged ("
              + fleetDamage
              + "): loading the series without it; the next poll of the API reads it again");
    }
    fleetSink.accept(fleet);
    return true;
  }

  private static void expectName(JsonReader json, String name) throws IOException {
    String found = json.nextName();
    if (!found.equals(name)) {
      throw new CorruptStateException("expected \"" + name + "\", found \"" + found + "\"");
    }
  }

  /**
   * Moves the state file aside, to {@code <name><suffix>}, so that the next save does not overwrite
   * what someone may want to look at. Returns where it went.
   */
  public Path setAside(String suffix) throws IOException {
    Path aside = path.resolveSibling(path.getFileName() + suffix);
    Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
    return aside;
  }

  /** A state file that was read but is not a state file: bad JSON, truncated, another format. */
  public static final class CorruptStateException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptStateException(String message) {
      super(message);
    }
  }

  /** A state file written for another organisation than this exporter's. */
  public static final class OtherOrganisationException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String orgId;

    OtherOrganisationException(String orgId) {
      super("written for organisation " + orgId);
      this.orgId = orgId;
    }

    /** The organisation the file was written for. */
    public String orgId() {
      return orgId;
    }
  }
}
