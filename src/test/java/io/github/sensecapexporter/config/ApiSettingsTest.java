package io.github.sensecapexporter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.github.sensecapexporter.fleet.Device;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ApiSettingsTest {
  private static final String SECRET = "s3cr3t-Access-Key-7f9c";
  private static final String MINIMAL =
      "sensecap.org-id = \"521853156991\"\nsensecap.access-key = \"" + SECRET + "\"\n";

  private static Settings load(String text, boolean demo) {
    return Settings.from(
        ConfigFactory.parseString(MINIMAL + text)
            .withFallback(ConfigFactory.defaultReference())
            .resolve(),
        demo);
  }

  private static ApiSettings api(String text) {
    return load(text, false).api();
  }

  @Test
  void withoutAnAccessIdTheApiIsOff() {
    ApiSettings api = api("");
    assertTrue(api.connection().isEmpty());
    assertEquals(Duration.ofMinutes(10), api.refreshInterval());
    assertEquals(Duration.ofSeconds(10), api.requestTimeout());
    assertTrue(api.devices().devices().isEmpty());
  }

  @Test
  void anAccessIdTurnsItOnWithTheAccessKeyAsPassword() {
    ApiSettings api =
        api(
            "sensecap.api { access-id = \"ABCDEF0123\", url = \"https://sensecap.seeed.cn/openapi\","
                + " refresh-interval = 2m, request-timeout = 3s }");
    ApiSettings.Connection connection = api.connection().orElseThrow();
    assertEquals("ABCDEF0123", connection.accessId());
    assertEquals(SECRET, connection.accessKey().reveal());
    assertEquals(URI.create("https://sensecap.seeed.cn/openapi/"), connection.url());
    assertEquals(Duration.ofMinutes(2), api.refreshInterval());
    assertEquals(Duration.ofSeconds(3), api.requestTimeout());
    assertTrue(connection.tls().isEmpty());
    assertFalse(connection.toString().contains(SECRET), connection.toString());
  }

  @Test
  void theDemoUsesItsOwnApi() {
    assertTrue(load("sensecap.api.access-id = \"X\"", true).api().connection().isEmpty());
  }

  @Test
  void devicesByHandAreReadWithUpperCaseEuis() {
    ApiSettings api =
        api(
            "sensecap.devices { \"2cf7f1c04430065c\" { name = \"Meeting room 3\", group = \"HQ\","
                + " latitude = 47.37, longitude = 8.54 }, \"2CF7F1C0443006A1\" { name = \"Lab\" } }");
    Device room = api.devices().devices().get("2CF7F1C04430065C");
    assertEquals("Meeting room 3", room.name());
    assertEquals("HQ", room.group());
    assertEquals(OptionalDouble.of(47.37), room.latitude());
    assertEquals(OptionalDouble.of(8.54), room.longitude());
    Device lab = api.devices().devices().get("2CF7F1C0443006A1");
    assertEquals("Lab", lab.name());
    assertEquals("", lab.group());
    assertEquals(OptionalDouble.empty(), lab.latitude());
    assertEquals(Optional.empty(), lab.online());
  }

  static Stream<Arguments> badConfigs() {
    String devices = "sensecap.devices.";
    return Stream.of(
        Arguments.of("sensecap.api.url = \"ftp://x/openapi\"", "sensecap.api.url"),
        Arguments.of("sensecap.api.url = \"https:///openapi\"", "sensecap.api.url"),
        Arguments.of("sensecap.api.url = \"https://u:p@x/openapi\"", "sensecap.api.url"),
        Arguments.of("sensecap.api.url = \"https://x/openapi?a=b\"", "sensecap.api.url"),
        Arguments.of("sensecap.api.refresh-interval = 30s", "sensecap.api.refresh-interval"),
        Arguments.of("sensecap.api.refresh-interval = 0s", "sensecap.api.refresh-interval"),
        Arguments.of("sensecap.api.refresh-interval = 2d", "sensecap.api.refresh-interval"),
        Arguments.of("sensecap.api.request-timeout = 0s", "sensecap.api.request-timeout"),
        Arguments.of("sensecap.api.request-timeout = 1h", "sensecap.api.request-timeout"),
        Arguments.of("sensecap.api.access-id = \"a:b\"", "sensecap.api.access-id"),
        Arguments.of(
            "sensecap.api { url = \"http://x/openapi\", tls.ca-file = \"/nonexistent.pem\" }",
            "sensecap.api.tls.ca-file"),
        Arguments.of("sensecap.api.tls.ca-file = \"/nonexistent.pem\"", "sensecap.api.tls.ca-file"),
        Arguments.of("sensecap.api.colour = 1", "sensecap.api.colour"),
        Arguments.of("sensecap.devices = 3", "sensecap.devices"),
        Arguments.of(devices + "XYZ { name = a }", devices + "XYZ"),
        Arguments.of(devices + "2CF7F1C04430065 { name = a }", devices + "2CF7F1C04430065"),
        Arguments.of(devices + "2CF7F1C04430065C = 3", devices + "2CF7F1C04430065C"),
        Arguments.of(
            devices + "2CF7F1C04430065C { colour = red }", devices + "2CF7F1C04430065C.colour"),
        Arguments.of(devices + "2CF7F1C04430065C { name = 3 }", devices + "2CF7F1C04430065C.name"),
        Arguments.of(
            devices + "2CF7F1C04430065C { name = \"\" }", devices + "2CF7F1C04430065C.name"),
        Arguments.of(
            devices + "2CF7F1C04430065C { group = \"" + "x".repeat(129) + "\" }",
            devices + "2CF7F1C04430065C.group"),
        Arguments.of(
            devices + "2CF7F1C04430065C { latitude = 91, longitude = 0 }",
            devices + "2CF7F1C04430065C.latitude"),
        Arguments.of(
            devices + "2CF7F1C04430065C { latitude = 1, longitude = -180.5 }",
            devices + "2CF7F1C04430065C.longitude"),
        Arguments.of(
            devices + "2CF7F1C04430065C { latitude = north, longitude = 1 }",
            devices + "2CF7F1C04430065C.latitude"),
        Arguments.of(
            devices + "2CF7F1C04430065C { latitude = 1 }", devices + "2CF7F1C04430065C.longitude"),
        Arguments.of(
            "sensecap.devices { 2cf7f1c04430065c { name = a }, 2CF7F1C04430065C { name = b } }",
            devices + "2CF7F1C04430065C"));
  }

  @ParameterizedTest
  @MethodSource("badConfigs")
  void aBadValueNamesItsKey(String text, String key) {
    SettingsException e = assertThrows(SettingsException.class, () -> load(text, false));
    assertTrue(e.getMessage().startsWith(key + ":"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
  }
}
