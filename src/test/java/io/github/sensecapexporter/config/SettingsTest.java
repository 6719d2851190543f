package io.github.sensecapexporter.config;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SettingsTest {
  private static final String ORG = "521853156991";
  private static final String SECRET = "s3cr3t-Access-Key-7f9c";
  private static final String MINIMAL =
      "sensecap.org-id = \"" + ORG + "\"\nsensecap.access-key = \"" + SECRET + "\"\n";

  private static Config config(String userText) {
    return ConfigFactory.parseString(userText)
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  private static Settings load(String userText) {
    return Settings.from(config(userText), false);
  }

  /** A HOCON string literal for a path, with JSON escapes. */
  private static String quoted(Path path) {
    return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static SettingsException assertRejected(String userText, boolean demoMode) {
    return assertThrows(
        SettingsException.class,
        () -> Settings.from(config(userText), demoMode),
        () -> "accepted:\n" + userText);
  }

  private static void assertNamesKey(String key, SettingsException e) {
    String message = e.getMessage();
    assertNotNull(message);
    assertTrue(
        message.startsWith(key + ":"), () -> "message should start with " + key + ": " + message);
    assertFalse(message.contains(SECRET), () -> "message leaks the access key: " + message);
  }

  @Nested
  class Defaults {
    @Test
    void minimalConfigGetsDocumentedDefaults() {
      Settings settings = load(MINIMAL);
      Settings.Mqtt mqtt = settings.mqtt();
      assertAll(
          () -> assertEquals(ORG, settings.orgId()),
          () -> assertEquals("tcp://sensecap-openstream.seeed.cc:1883", mqtt.url()),
          () -> assertEquals("org-" + ORG, mqtt.username()),
          () -> assertEquals(SECRET, mqtt.password().reveal()),
          () ->
              assertTrue(
                  mqtt.clientId().matches("org-" + ORG + "-[a-z0-9]{10}"),
                  () -> "client id " + mqtt.clientId()),
          () -> assertFalse(mqtt.clientIdPinned()),
          () ->
              assertEquals(
                  List.of(
                      "/device_sensor_data/" + ORG + "/+/+/+/+",
                      "/device_status_event/" + ORG + "/+/+/+"),
                  mqtt.topics()),
          () -> assertEquals(1, mqtt.qos()),
          () -> assertTrue(mqtt.cleanSession()),
          () -> assertEquals(Duration.ofSeconds(60), mqtt.keepAlive()),
          () -> assertEquals(Duration.ofSeconds(10), mqtt.connectTimeout()),
          () -> assertEquals(Duration.ofSeconds(1), mqtt.initialReconnectDelay()),
          () -> assertEquals(Duration.ofSeconds(60), mqtt.maxReconnectDelay()),
          () -> assertEquals(64 * 1024, mqtt.maxPayloadBytes()),
          () -> assertEquals("0.0.0.0", settings.http().host()),
          () -> assertEquals(9816, settings.http().port()),
          () -> assertEquals(Duration.ofHours(26), settings.series().expireAfter()),
          () -> assertEquals(200_000, settings.series().maxSeries()),
          () -> assertEquals(Level.INFO, settings.logLevel()),
          () -> assertNull(settings.demo()));
    }

    @Test
    void generatedClientIdDiffersBetweenLoads() {
      String first = load(MINIMAL).mqtt().clientId();
      String second = load(MINIMAL).mqtt().clientId();
      assertTrue(first.matches("org-" + ORG + "-[a-z0-9]{10}"), first);
      assertTrue(second.matches("org-" + ORG + "-[a-z0-9]{10}"), second);
      assertNotEquals(first, second);
    }

    @Test
    void pinnedClientIdAndUsernameAreKept() {
      Settings settings =
          load(
              MINIMAL
                  + "sensecap.mqtt.client-id = \"org-"
                  + ORG
                  + "-pinned\"\n"
                  + "sensecap.mqtt.username = \"someone-else\"\n");
      assertAll(
          () -> assertEquals("org-" + ORG + "-pinned", settings.mqtt().clientId()),
          () -> assertTrue(settings.mqtt().clientIdPinned()),
          () -> assertEquals("someone-else", settings.mqtt().username()));
    }

    @Test
    void explicitTopicsReplaceTheDefaults() {
      Settings settings =
          load(
              MINIMAL
                  + "sensecap.mqtt.topics = [\"/device_sensor_data/"
                  + ORG
                  + "/+/+/+/4097\"]\n");
      assertEquals(List.of("/device_sensor_data/" + ORG + "/+/+/+/4097"), settings.mqtt().topics());
    }

    @Test
    void acceptsHostNamesWithUnderscoresAsComposeUsesThem() {
      Settings settings = load(MINIMAL + "sensecap.mqtt.url = \"tcp://sensecap_broker:1883\"");
      assertEquals("tcp://sensecap_broker:1883", settings.mqtt().url());
    }

    @Test
    void toStringNeverContainsTheAccessKey() {
      Settings settings = load(MINIMAL);
      String text = settings.toString();
      assertFalse(text.contains(SECRET), text);
      assertFalse(settings.mqtt().toString().contains(SECRET));
      assertFalse(settings.mqtt().password().toString().contains(SECRET));
      // The dump still shows the rest of the settings.
      assertTrue(text.contains(ORG), text);
    }
  }

  @Nested
  class AccessKeyFile {
    @TempDir Path dir;

    @Test
    void readsKeyAndTrimsTrailingWhitespace() throws IOException {
      Path file = dir.resolve("access-key");
      Files.writeString(file, SECRET + " \t\r\n\n", StandardCharsets.UTF_8);
      Settings settings =
          load("sensecap.org-id = \"" + ORG + "\"\nsensecap.access-key-file = " + quoted(file));
      assertEquals(SECRET, settings.mqtt().password().reveal());
      assertFalse(settings.toString().contains(SECRET), settings.toString());
    }

    @Test
    void bothInlineKeyAndFileAreRejected() throws IOException {
      Path file = dir.resolve("access-key");
      Files.writeString(file, SECRET + "\n", StandardCharsets.UTF_8);
      SettingsException e =
          assertRejected(MINIMAL + "sensecap.access-key-file = " + quoted(file), false);
      assertNamesKey("sensecap.access-key-file", e);
    }

    @Test
    void missingFileIsRejected() {
      Path file = dir.resolve("does-not-exist");
      SettingsException e =
          assertRejected(
              "sensecap.org-id = \"" + ORG + "\"\nsensecap.access-key-file = " + quoted(file),
              false);
      assertNamesKey("sensecap.access-key-file", e);
    }

    @Test
    void directoryIsRejected() {
      SettingsException e =
          assertRejected(
              "sensecap.org-id = \"" + ORG + "\"\nsensecap.access-key-file = " + quoted(dir),
              false);
      assertNamesKey("sensecap.access-key-file", e);
    }

    @Test
    void emptyFileIsRejected() throws IOException {
      Path file = dir.resolve("empty");
      Files.writeString(file, "", StandardCharsets.UTF_8);
      SettingsException e =
          assertRejected(
              "sensecap.org-id = \"" + ORG + "\"\nsensecap.access-key-file = " + quoted(file),
              false);
      assertNamesKey("sensecap.access-key-file", e);
    }

    @Test
    void whitespaceOnlyFileIsRejected() throws IOException {
      Path file = dir.resolve("blank");
      Files.writeString(file, " \n\t\n", StandardCharsets.UTF_8);
      SettingsException e =
          assertRejected(
              "sensecap.org-id = \"" + ORG + "\"\nsensecap.access-key-file = " + quoted(file),
              false);
      assertNamesKey("sensecap.access-key-file", e);
    }
  }

  @Nested
  class DemoMode {
    @Test
    void needsNoOrgOrKey() {
      Config config = config("");
      Settings settings = Settings.from(config, true);
      String demoOrg = config.getString("sensecap.demo.org-id");
      assertAll(
          () -> assertFalse(demoOrg.isEmpty()),
          () -> assertEquals(demoOrg, settings.orgId()),
          () -> assertEquals("org-" + demoOrg, settings.mqtt().username()),
          () -> assertTrue(settings.mqtt().password().isEmpty()),
          () ->
              assertEquals(
                  List.of(
                      "/device_sensor_data/" + demoOrg + "/+/+/+/+",
                      "/device_status_event/" + demoOrg + "/+/+/+"),
                  settings.mqtt().topics()),
          () -> assertNotNull(settings.demo()));
    }

    @Test
    void usesConfiguredDemoOrg() {
      Settings settings = Settings.from(config("sensecap.demo.org-id = \"42\""), true);
      assertEquals("42", settings.orgId());
    }

    @Test
    void explicitOrgWinsOverDemoOrg() {
      Settings settings = Settings.from(config("sensecap.org-id = \"" + ORG + "\""), true);
      assertEquals(ORG, settings.orgId());
    }

    @Test
    void sameConfigWithoutDemoNeedsOrg() {
      assertNamesKey("sensecap.org-id", assertRejected("", false));
    }
  }

  @Nested
  class BadConfigs {
    static Stream<Arguments> badConfigs() {
      String org = "sensecap.org-id = \"" + ORG + "\"\n";
      String key = "sensecap.access-key = \"" + SECRET + "\"\n";
      return Stream.of(
          Arguments.of("sensecap.org-id", key),
          Arguments.of("sensecap.org-id", key + "sensecap.org-id = \"  \""),
          Arguments.of("sensecap.access-key", org),
          Arguments.of("sensecap.access-key-file", MINIMAL + "sensecap.access-key-file = \"/x\""),
          Arguments.of("sensecap.org-id", key + "sensecap.org-id = \"123/456\""),
          Arguments.of("sensecap.org-id", key + "sensecap.org-id = \"12+\""),
          Arguments.of("sensecap.org-id", key + "sensecap.org-id = \"#\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"http://h:1883\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"mqtt://h:1883\""),
          Arguments.of(
              "sensecap.mqtt.url",
              MINIMAL + "sensecap.mqtt.url = \"sensecap-openstream.seeed.cc:1883\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"//h:1883\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"localhost\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"tcp://h:70000\""),
          Arguments.of(
              "sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"tcp://h:99999999999\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"tcp://my_broker:x\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"tcp://h:1883?x=1\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"tcp://h:1883#f\""),
          Arguments.of(
              "sensecap.access-key",
              "sensecap.org-id = \"521853156991\"\nsensecap.access-key = \"   \""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"tcp://h:0\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"tcp://h:1883/mqtt\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"ssl://h:8883/x\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"tcp://:1883\""),
          Arguments.of("sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"tcp://h h:1883\""),
          Arguments.of(
              "sensecap.mqtt.url",
              MINIMAL + "sensecap.mqtt.url = \"tcp://org-1:" + SECRET + "@h:1883\""),
          Arguments.of(
              "sensecap.mqtt.url",
              MINIMAL + "sensecap.mqtt.url = \"http://org-1:" + SECRET + "@h:1883\""),
          Arguments.of("sensecap.http.port", MINIMAL + "sensecap.http.port = -1"),
          Arguments.of("sensecap.http.port", MINIMAL + "sensecap.http.port = 65536"),
          Arguments.of("sensecap.mqtt.qos", MINIMAL + "sensecap.mqtt.qos = 3"),
          Arguments.of("sensecap.mqtt.qos", MINIMAL + "sensecap.mqtt.qos = -1"),
          Arguments.of("sensecap.mqtt.keep-alive", MINIMAL + "sensecap.mqtt.keep-alive = 0s"),
          Arguments.of("sensecap.mqtt.keep-alive", MINIMAL + "sensecap.mqtt.keep-alive = -5s"),
          Arguments.of(
              "sensecap.mqtt.connect-timeout", MINIMAL + "sensecap.mqtt.connect-timeout = 0s"),
          Arguments.of(
              "sensecap.mqtt.connect-timeout", MINIMAL + "sensecap.mqtt.connect-timeout = -5s"),
          Arguments.of(
              "sensecap.mqtt.initial-reconnect-delay",
              MINIMAL + "sensecap.mqtt.initial-reconnect-delay = 0s"),
          Arguments.of(
              "sensecap.mqtt.initial-reconnect-delay",
              MINIMAL + "sensecap.mqtt.initial-reconnect-delay = -5s"),
          Arguments.of(
              "sensecap.mqtt.max-reconnect-delay",
              MINIMAL + "sensecap.mqtt.max-reconnect-delay = 0s"),
          Arguments.of(
              "sensecap.mqtt.max-reconnect-delay",
              MINIMAL + "sensecap.mqtt.max-reconnect-delay = -5s"),
          Arguments.of(
              "sensecap.series.expire-after", MINIMAL + "sensecap.series.expire-after = 0s"),
          Arguments.of(
              "sensecap.series.expire-after", MINIMAL + "sensecap.series.expire-after = -5s"),
          Arguments.of(
              "sensecap.mqtt.max-reconnect-delay",
              MINIMAL
                  + "sensecap.mqtt.initial-reconnect-delay = 10s\n"
                  + "sensecap.mqtt.max-reconnect-delay = 5s"),
          Arguments.of("sensecap.series.max-series", MINIMAL + "sensecap.series.max-series = 0"),
          Arguments.of("sensecap.series.max-series", MINIMAL + "sensecap.series.max-series = -1"),
          Arguments.of(
              "sensecap.mqtt.topics[1]",
              MINIMAL + "sensecap.mqtt.topics = [\"/device_sensor_data/#\", \"a#\"]"),
          Arguments.of(
              "sensecap.mqtt.topics[0]", MINIMAL + "sensecap.mqtt.topics = [\"\", \"/a/#\"]"),
          Arguments.of(
              "sensecap.mqtt.topics",
              MINIMAL + "sensecap.mqtt.topics = [\"/a/+\", \"/b/#\", \"/a/+\"]"),
          Arguments.of("sensecap.mqtt.qoss", MINIMAL + "sensecap.mqtt.qoss = 1"),
          Arguments.of("sensecap.org", MINIMAL + "sensecap.org = \"" + ORG + "\""),
          Arguments.of("sensecap.log.level", MINIMAL + "sensecap.log.level = LOUD"),
          Arguments.of("sensecap.log.level", MINIMAL + "sensecap.log.level = \"\""));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badConfigs")
    void namesTheKeyAndHidesTheSecret(String key, String userText) {
      assertNamesKey(key, assertRejected(userText, false));
    }

    @Test
    void wrongTypeNamesTheKey() {
      SettingsException e = assertRejected(MINIMAL + "sensecap.mqtt.qos = \"high\"", false);
      String message = e.getMessage();
      assertTrue(message.contains("sensecap.mqtt.qos"), message);
      assertFalse(message.contains(SECRET), message);
    }

    @Test
    void wrongTypeDurationNamesTheKey() {
      SettingsException e = assertRejected(MINIMAL + "sensecap.mqtt.keep-alive = soon", false);
      String message = e.getMessage();
      assertTrue(message.contains("sensecap.mqtt.keep-alive"), message);
      assertFalse(message.contains(SECRET), message);
    }

    @Test
    void wrongTypeAccessKeyDoesNotLeakIt() {
      SettingsException e =
          assertRejected(
              "sensecap.org-id = \"" + ORG + "\"\nsensecap.access-key = [\"" + SECRET + "\"]",
              false);
      String message = e.getMessage();
      assertTrue(message.contains("sensecap.access-key"), message);
      assertFalse(message.contains(SECRET), message);
    }
  }
}
