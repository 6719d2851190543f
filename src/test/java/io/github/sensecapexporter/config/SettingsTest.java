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
import io.github.sensecapexporter.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
    void aNameThatIsNoFileNameIsRejectedNamingTheKey() {
      SettingsException e =
          assertRejected(
              "sensecap.org-id = \"" + ORG + "\"\nsensecap.access-key-file = \"a\\u0000b\"", false);
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
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class TlsOptions {
    private static final String TLS = "sensecap.mqtt.tls.";
    private static final String SSL = MINIMAL + "sensecap.mqtt.url = \"ssl://127.0.0.1:8883\"\n";

    private Path dir;
    private TestPki pki;
    private TestPki.Pair rsaClient;
    private TestPki.Pair ecClient;
    private final Map<String, Path> files = new HashMap<>();

    @BeforeAll
    void makeFiles(@TempDir Path tempDir) throws Exception {
      dir = tempDir;
      pki = TestPki.create(dir.resolve("pki"), "settings");
      rsaClient = pki.client("rsa-client", "RSA");
      ecClient = pki.client("ec-client", "EC");
      files.put("ca", pki.caCert());
      files.put("cert", rsaClient.cert());
      files.put("key", rsaClient.key());
      files.put("ec-cert", ecClient.cert());
      files.put("ec-key", ecClient.key());
      Path pkcs1 = dir.resolve("pkcs1.key");
      pki.openssl(
          "pkey", "-in", rsaClient.key().toString(), "-traditional", "-out", pkcs1.toString());
      files.put("pkcs1-key", pkcs1);
      Path encrypted = dir.resolve("encrypted.key");
      pki.openssl(
          "pkcs8",
          "-topk8",
          "-in",
          rsaClient.key().toString(),
          "-passout",
          "pass:secret",
          "-out",
          encrypted.toString());
      files.put("encrypted-key", encrypted);
      Path der = dir.resolve("ca.der");
      pki.openssl(
          "x509", "-in", pki.caCert().toString(), "-outform", "DER", "-out", der.toString());
      files.put("der-cert", der);
      files.put("missing", dir.resolve("does-not-exist.pem"));
      files.put("directory", Files.createDirectories(dir.resolve("a-directory")));
      files.put("empty", write("empty.pem", ""));
      files.put("garbage", write("garbage.pem", "not a certificate\n"));
      files.put(
          "bad-base64",
          write(
              "bad-base64.pem", "-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n"));
      files.put(
          "junk-der",
          write(
              "junk-der.pem",
              "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n"));
      files.put(
          "junk-key",
          write(
              "junk-key.pem",
              "-----BEGIN PRIVATE KEY-----\nAAECAwQFBgcICQ==\n-----END PRIVATE KEY-----\n"));
      files.put(
          "two-keys",
          write(
              "two-keys.pem",
              Files.readString(rsaClient.key()) + Files.readString(ecClient.key())));
      // A chain file with the client's certificate and the CA's after it.
      files.put(
          "chain",
          write(
              "chain.pem",
              "subject=CN = rsa-client\n"
                  + Files.readString(rsaClient.cert())
                  + "\n"
                  + Files.readString(pki.caCert())));
    }

    private Path write(String name, String text) throws IOException {
      return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    /** Replaces every {name} with the quoted path of that test file. */
    private String withFiles(String userText) {
      String text = userText;
      for (Map.Entry<String, Path> file : files.entrySet()) {
        text = text.replace("{" + file.getKey() + "}", quoted(file.getValue()));
      }
      assertFalse(text.contains("{"), () -> "unknown file in " + userText);
      return text;
    }

    @Test
    void noTlsOptionsByDefault() {
      assertTrue(load(MINIMAL).mqtt().tls().isEmpty());
      assertTrue(load(SSL).mqtt().tls().isEmpty());
      assertTrue(load(SSL).mqtt().usesTls());
      assertFalse(load(MINIMAL).mqtt().usesTls());
    }

    @Test
    void caFileAlone() {
      Settings.Tls tls = load(withFiles(SSL + TLS + "ca-file = {ca}")).mqtt().tls().orElseThrow();
      assertAll(
          () -> assertEquals(Optional.of(pki.caCert()), tls.caFile()),
          () -> assertTrue(tls.certFile().isEmpty()),
          () -> assertTrue(tls.keyFile().isEmpty()),
          () -> assertEquals("TLS", tls.context().getProtocol()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("goodConfigs")
    void accepts(String what, String userText) {
      Settings settings = load(withFiles(userText));
      assertTrue(settings.mqtt().tls().isPresent(), what);
      assertNotNull(settings.mqtt().tls().get().context().getSocketFactory());
    }

    Stream<Arguments> goodConfigs() {
      String wss = MINIMAL + "sensecap.mqtt.url = \"wss://localhost:8084/mqtt\"\n";
      return Stream.of(
          Arguments.of("RSA client", SSL + TLS + "cert-file = {cert}\n" + TLS + "key-file = {key}"),
          Arguments.of(
              "EC client with a CA over wss",
              wss
                  + TLS
                  + "ca-file = {ca}\n"
                  + TLS
                  + "cert-file = {ec-cert}\n"
                  + TLS
                  + "key-file = {ec-key}"),
          Arguments.of(
              "chain file with text before",
              SSL + TLS + "cert-file = {chain}\n" + TLS + "key-file = {key}"),
          Arguments.of("a CA file of several certificates", SSL + TLS + "ca-file = {chain}"),
          Arguments.of(
              "URL scheme in capitals",
              MINIMAL + "sensecap.mqtt.url = \"SSL://h:8883\"\n" + TLS + "ca-file = {ca}"));
    }

    @Test
    void withUrlKeepsTheTlsOptions() {
      Settings settings = load(withFiles(SSL + TLS + "ca-file = {ca}"));
      Settings moved = settings.withMqttUrl("ssl://127.0.0.1:18883");
      assertEquals("ssl://127.0.0.1:18883", moved.mqtt().url());
      assertEquals(settings.mqtt().tls(), moved.mqtt().tls());
      // The demo broker is plain MQTT: the options stay but are not used.
      assertFalse(settings.withMqttUrl("tcp://127.0.0.1:1883").mqtt().usesTls());
    }

    @Test
    void toStringNamesTheFilesButNotTheKey() throws IOException {
      Settings settings =
          load(withFiles(SSL + TLS + "cert-file = {cert}\n" + TLS + "key-file = {key}"));
      String text = settings.toString();
      assertTrue(text.contains(rsaClient.key().toString()), text);
      assertTrue(text.contains("JVM trust store"), text);
      String keyBody = Files.readString(rsaClient.key()).split("\n")[1];
      assertFalse(text.contains(keyBody), text);
    }

    Stream<Arguments> badConfigs() {
      String tcp = MINIMAL;
      String ws = MINIMAL + "sensecap.mqtt.url = \"ws://h:8083/mqtt\"\n";
      String certAndKey = TLS + "cert-file = {cert}\n" + TLS + "key-file = {key}\n";
      return Stream.of(
          Arguments.of(TLS + "ca-file", tcp + TLS + "ca-file = {ca}", "only used with ssl://"),
          Arguments.of(TLS + "cert-file", ws + certAndKey, "only used with ssl://"),
          Arguments.of(TLS + "key-file", tcp + TLS + "key-file = {key}", "only used with ssl://"),
          Arguments.of(TLS + "key-file", SSL + TLS + "cert-file = {cert}", "is required with"),
          Arguments.of(TLS + "cert-file", SSL + TLS + "key-file = {key}", "is required with"),
          Arguments.of(TLS + "ca-file", SSL + TLS + "ca-file = {missing}", "cannot read"),
          Arguments.of(
              TLS + "ca-file", SSL + TLS + "ca-file = {directory}", "is a directory, not a file"),
          Arguments.of(TLS + "ca-file", SSL + TLS + "ca-file = {empty}", "is not PEM"),
          Arguments.of(TLS + "ca-file", SSL + TLS + "ca-file = {garbage}", "is not PEM"),
          Arguments.of(TLS + "ca-file", SSL + TLS + "ca-file = {der-cert}", "is not PEM"),
          Arguments.of(TLS + "ca-file", SSL + TLS + "ca-file = {key}", "no PEM certificate"),
          Arguments.of(TLS + "ca-file", SSL + TLS + "ca-file = {bad-base64}", "cannot be parsed"),
          Arguments.of(TLS + "ca-file", SSL + TLS + "ca-file = {junk-der}", "cannot be parsed"),
          Arguments.of(
              TLS + "cert-file",
              SSL + TLS + "cert-file = {garbage}\n" + TLS + "key-file = {key}",
              "is not PEM"),
          Arguments.of(
              TLS + "cert-file",
              SSL + TLS + "cert-file = {key}\n" + TLS + "key-file = {key}",
              "no PEM certificate"),
          Arguments.of(
              TLS + "key-file",
              SSL + TLS + "cert-file = {cert}\n" + TLS + "key-file = {missing}",
              "cannot read"),
          Arguments.of(
              TLS + "key-file",
              SSL + TLS + "cert-file = {cert}\n" + TLS + "key-file = {cert}",
              "no PEM private key"),
          Arguments.of(
              TLS + "key-file",
              SSL + TLS + "cert-file = {cert}\n" + TLS + "key-file = {pkcs1-key}",
              "openssl pkcs8 -topk8 -nocrypt"),
          Arguments.of(
              TLS + "key-file",
              SSL + TLS + "cert-file = {cert}\n" + TLS + "key-file = {encrypted-key}",
              "openssl pkcs8 -topk8 -nocrypt"),
          Arguments.of(
              TLS + "key-file",
              SSL + TLS + "cert-file = {cert}\n" + TLS + "key-file = {junk-key}",
              "cannot be parsed as a PKCS#8 RSA or EC key"),
          Arguments.of(
              TLS + "key-file",
              SSL + TLS + "cert-file = {cert}\n" + TLS + "key-file = {two-keys}",
              "2 private keys"),
          Arguments.of(
              TLS + "key-file",
              SSL + TLS + "cert-file = {cert}\n" + TLS + "key-file = {ec-key}",
              "is not the private key of the first certificate"),
          Arguments.of(
              TLS + "key-file",
              SSL + TLS + "cert-file = {ec-cert}\n" + TLS + "key-file = {key}",
              "is not the private key of the first certificate"),
          Arguments.of(
              TLS + "ca-file", SSL + TLS + "ca-file = [\"a\"]", "has type LIST rather than STRING"),
          Arguments.of(TLS + "ca-files", SSL + TLS + "ca-files = {ca}", "is not a known key"));
    }

    @ParameterizedTest(name = "[{index}] {0}: {2}")
    @MethodSource("badConfigs")
    void namesTheKey(String key, String userText, String problem) throws IOException {
      String text = withFiles(userText);
      SettingsException e = assertRejected(text, false);
      if (e.getMessage().startsWith(key + ":")) {
        assertNamesKey(key, e);
      } else {
        // Typesafe Config's own type errors put the file and line first, then the key.
        assertTrue(e.getMessage().contains(key), e.getMessage());
      }
      assertTrue(e.getMessage().contains(problem), () -> "expected " + problem + ": " + e);
      for (Path keyFile : List.of(rsaClient.key(), ecClient.key())) {
        String keyBody = Files.readString(keyFile).split("\n")[1];
        assertFalse(e.getMessage().contains(keyBody), "message shows key material");
      }
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
          Arguments.of(
              "sensecap.mqtt.url", MINIMAL + "sensecap.mqtt.url = \"ws://my_broker:8083/mqtt\""),
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
          Arguments.of("sensecap.mqtt.qos", MINIMAL + "sensecap.mqtt.qos = 2"),
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

  /** The command line's {@code --set}, over the file and the system properties. */
  @Nested
  class Overrides {
    @TempDir Path dir;

    private Settings load(String fileText, Map<String, String> overrides) throws IOException {
      Path file = Files.writeString(dir.resolve("application.conf"), fileText);
      return Settings.load(Optional.of(file), overrides, false);
    }

    @Test
    void winOverTheFileAndOverASystemProperty() throws IOException {
      System.setProperty("sensecap.http.port", "9001");
      ConfigFactory.invalidateCaches();
      try {
        Settings settings =
            load(
                MINIMAL + "sensecap.http.port = 9000\nsensecap.series.max-series = 7\n",
                Map.of("sensecap.http.port", "9817", "sensecap.mqtt.keep-alive", "30s"));
        assertEquals(9817, settings.http().port());
        assertEquals(Duration.ofSeconds(30), settings.mqtt().keepAlive());
        assertEquals(7, settings.series().maxSeries());
      } finally {
        System.clearProperty("sensecap.http.port");
        ConfigFactory.invalidateCaches();
      }
    }

    @Test
    void areCheckedAsAnyValueIs() throws IOException {
      assertNamesKey(
          "sensecap.mqtt.qos",
          assertThrows(
              SettingsException.class, () -> load(MINIMAL, Map.of("sensecap.mqtt.qos", "3"))));
      assertNamesKey(
          "sensecap.htpp.port",
          assertThrows(
              SettingsException.class, () -> load(MINIMAL, Map.of("sensecap.htpp.port", "1"))));
    }
  }

  @Nested
  class UnknownKeys {
    @TempDir Path dir;

    private SettingsException loadRejected(String fileText) throws IOException {
      Path file = dir.resolve("application.conf");
      Files.writeString(file, fileText);
      return assertThrows(
          SettingsException.class,
          () -> Settings.load(Optional.of(file), Map.of(), false),
          fileText);
    }

    @Test
    void aMistypedSystemPropertyIsRejected() throws IOException {
      // ConfigFactory caches the system properties, and lays them over its own reference.
      System.setProperty("sensecap.htpp.port", "1");
      ConfigFactory.invalidateCaches();
      try {
        assertNamesKey("sensecap.htpp.port", loadRejected(MINIMAL));
      } finally {
        System.clearProperty("sensecap.htpp.port");
        ConfigFactory.invalidateCaches();
      }
    }

    @Test
    void aMistypedKeyIsRejectedWhenItsVariableIsUnset() throws IOException {
      assertNamesKey(
          "sensecap.htpp.port",
          loadRejected(MINIMAL + "sensecap.htpp.port = ${?SENSECAP_NO_SUCH_VARIABLE_9f3}\n"));
    }

    @Test
    void aMistypedKeyInsideASubstitutedObjectIsRejected() throws IOException {
      assertNamesKey(
          "sensecap.http.prot",
          loadRejected(MINIMAL + "common { prot = 1 }\nsensecap.http = ${common}\n"));
    }

    @Test
    void theRemovedWarmUpSettingIsRejected() throws IOException {
      SettingsException e = loadRejected(MINIMAL + "sensecap.mqtt.warm-up-messages = 0\n");
      assertNamesKey("sensecap.mqtt.warm-up-messages", e);
      assertTrue(e.getMessage().contains("is not a known key"), e.getMessage());
    }

    @Test
    void basicAuthUserNamesAreTheOperatorsOwn() throws IOException {
      Path file = dir.resolve("application.conf");
      Files.writeString(
          file,
          MINIMAL
              + "sensecap.http.basic-auth.users { \"any.name\" = \"$2y$10$"
              + "a".repeat(53)
              + "\" }\n");
      assertEquals(
          1, Settings.load(Optional.of(file), Map.of(), false).http().basicAuthUsers().size());
    }
  }
}
