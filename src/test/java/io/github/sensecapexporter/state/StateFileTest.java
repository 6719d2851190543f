package io.github.sensecapexporter.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.Sample;
import io.github.sensecapexporter.store.SeriesKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateFileTest {
  private static final String ORG = "521853156991";
  private static final Map<SeriesKey, Sample> SERIES = new LinkedHashMap<>();

  static {
    SERIES.put(
        new SeriesKey(Topic.Kind.MEASUREMENT, "2CF7F1C04430065C", "1", "vs", "4097"),
        new Sample(23.5, 1_759_186_369_000L, 1_795_000_000_000L));
    SERIES.put(
        new SeriesKey(Topic.Kind.STATUS, "2CF7F1C04430065C", "", "", "3000"),
        new Sample(87, 1_759_186_369_000L, 1_795_000_000_001L));
    SERIES.put(
        new SeriesKey(Topic.Kind.MEASUREMENT, "a\"b\\c\nd\te", "32", "2CF7F13003900007", "4111"),
        new Sample(-1e-300, 0, 1));
  }

  @TempDir Path dir;

  private StateFile file() {
    return new StateFile(dir.resolve("state"), ORG);
  }

  private Map<SeriesKey, Sample> load(StateFile file) throws Exception {
    Map<SeriesKey, Sample> loaded = new LinkedHashMap<>();
    file.load(loaded::put, fleet -> {});
    return loaded;
  }

  @Nested
  class RoundTrip {
    @Test
    void givesBackEverySeriesExactly() throws Exception {
      StateFile file = file();
      assertEquals(3, file.save(SERIES::forEach, Fleet.EMPTY));
      assertEquals(SERIES, load(file));
    }

    @Test
    void leavesNoTemporaryFileBehind() throws Exception {
      file().save(SERIES::forEach, Fleet.EMPTY);
      try (var files = Files.list(dir)) {
        assertEquals(1, files.count());
      }
    }

    @Test
    void replacesTheFormerFile() throws Exception {
      StateFile file = file();
      file.save(SERIES::forEach, Fleet.EMPTY);
      file.save(visitor -> {}, Fleet.EMPTY);
      assertEquals(Map.of(), load(file));
    }

    @Test
    void createsTheDirectory() throws Exception {
      StateFile file = new StateFile(dir.resolve("a/b/state"), ORG);
      file.save(SERIES::forEach, Fleet.EMPTY);
      assertEquals(SERIES, load(file));
    }

    @Test
    void sayWhenThereIsNoFile() throws Exception {
      assertFalse(file().load((key, sample) -> {}, fleet -> {}));
    }
  }

  @Nested
  class Corrupt {
    @ParameterizedTest
    @ValueSource(
        strings = {
          "",
          "not json",
          "{\"format\":\"something-else\",\"version\":1,\"series\":[]}",
          "{\"format\":\"sensecap-exporter-state\",\"version\":99,\"series\":[]}",
          "{\"format\":\"sensecap-exporter-state\",\"version\":2,\"series\":[]}",
          "{\"format\":\"sensecap-exporter-state\",\"version\":1,\"series\":[[\"X\",\"d\",\"1\",\"vs\",\"1\",1,1,1]]}",
          "{\"format\":\"sensecap-exporter-state\",\"version\":1,\"series\":[[\"M\",\"d\",\"1\"]]}",
          "{\"format\":\"sensecap-exporter-state\",\"version\":1,\"series\":[]} trailing"
        })
    void isRejectedWhole(String content) throws Exception {
      Files.writeString(dir.resolve("state"), content);
      assertThrows(StateFile.CorruptStateException.class, () -> load(file()));
    }

    @Test
    void aTruncatedFileGivesNothing() throws Exception {
      StateFile file = file();
      file.save(SERIES::forEach, Fleet.EMPTY);
      byte[] whole = Files.readAllBytes(file.path());
      Files.write(file.path(), Arrays.copyOf(whole, whole.length - 20));
      Map<SeriesKey, Sample> loaded = new LinkedHashMap<>();
      assertThrows(
          StateFile.CorruptStateException.class, () -> file.load(loaded::put, fleet -> {}));
      assertEquals(Map.of(), loaded, "nothing from a truncated file");
    }

    @Test
    void invalidUtf8IsRejected() throws Exception {
      Files.write(dir.resolve("state"), new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
      assertThrows(StateFile.CorruptStateException.class, () -> load(file()));
    }

    @Test
    void isSetAsideForSomeoneToLookAt() throws Exception {
      Files.writeString(dir.resolve("state"), "garbage", StandardCharsets.UTF_8);
      Path aside = file().setAside(".corrupt");
      assertFalse(Files.exists(dir.resolve("state")));
      assertTrue(Files.readString(aside).equals("garbage"));
    }
  }

  @Nested
  class Organisation {
    @Test
    void isRecordedInTheFile() throws Exception {
      file().save(SERIES::forEach, Fleet.EMPTY);
      String text = Files.readString(file().path());
      assertTrue(
          text.startsWith(
              "{\"format\":\"sensecap-exporter-state\",\"version\":3,\"org-id\":\"" + ORG + "\","),
          text);
    }

    @Test
    void anotherOrganisationsFileGivesNothingAndSaysWhose() throws Exception {
      new StateFile(file().path(), "100000000001").save(SERIES::forEach, Fleet.EMPTY);
      Map<SeriesKey, Sample> loaded = new LinkedHashMap<>();
      StateFile.OtherOrganisationException e =
          assertThrows(
              StateFile.OtherOrganisationException.class,
              () -> file().load(loaded::put, fleet -> {}));
      assertEquals("100000000001", e.orgId());
      assertEquals(Map.of(), loaded);
    }

    @Test
    void aVersion1FileWithoutOneIsStillRead() throws Exception {
      Files.writeString(
          file().path(),
          "{\"format\":\"sensecap-exporter-state\",\"version\":1,\"series\":"
              + "[[\"M\",\"2CF7F1C04430065C\",\"1\",\"vs\",\"4097\",23.5,1759186369000,1795000000000]]}");
      assertEquals(
          Map.of(
              new SeriesKey(Topic.Kind.MEASUREMENT, "2CF7F1C04430065C", "1", "vs", "4097"),
              new Sample(23.5, 1_759_186_369_000L, 1_795_000_000_000L)),
          load(file()));
    }
  }

  @Nested
  class Unreadable {
    @Test
    void isNotReportedAsCorrupt() throws Exception {
      // A directory: unreadable as a file even for root, who may run this test.
      Files.createDirectory(file().path());
      IOException e = assertThrows(IOException.class, () -> load(file()));
      assertFalse(e instanceof StateFile.CorruptStateException, e.toString());
      assertTrue(e.getMessage().startsWith("cannot read " + file().path()), e.getMessage());
      assertTrue(Files.isDirectory(file().path()), "left where it was");
    }
  }

  @Nested
  class FailedSave {
    private void assertOnlyTheStateFileIsLeft() throws IOException {
      try (var files = Files.list(dir)) {
        assertEquals(List.of(file().path()), files.toList(), "a temporary file is left");
      }
    }

    @Test
    void thatCannotReplaceTheFileLeavesNoTemporaryFile() throws Exception {
      // A directory that is not empty cannot be renamed over.
      Files.createDirectories(file().path().resolve("inside"));
      assertThrows(IOException.class, () -> file().save(SERIES::forEach, Fleet.EMPTY));
      assertOnlyTheStateFileIsLeft();
    }

    @Test
    void thatFailsHalfWayLeavesNoTemporaryFileAndTheFormerFileWhole() throws Exception {
      file().save(SERIES::forEach, Fleet.EMPTY);
      assertThrows(
          IllegalStateException.class,
          () ->
              file()
                  .save(
                      sink -> {
                        SERIES.forEach(sink);
                        throw new IllegalStateException("the store went away");
                      },
                      Fleet.EMPTY));
      assertOnlyTheStateFileIsLeft();
      assertEquals(SERIES, load(file()));
    }
  }
}
