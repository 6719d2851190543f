package io.github.sensecapexporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.github.sensecapexporter.collector.MeasurementCatalogue;
import io.github.sensecapexporter.collector.SeriesExposition;
import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.config.SettingsException;
import io.github.sensecapexporter.fleet.Fleet;
import io.github.sensecapexporter.parse.Topic;
import io.github.sensecapexporter.store.SeriesKey;
import io.github.sensecapexporter.store.SeriesStore;
import io.github.sensecapexporter.testing.Await;
import io.github.sensecapexporter.testing.Http;
import io.github.sensecapexporter.testing.MetricsText;
import io.github.sensecapexporter.testing.Prometheus;
import io.github.sensecapexporter.testing.RawHttp;
import io.github.sensecapexporter.testing.SystemTools;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * HTTPS and basic auth on real sockets, with a self-signed certificate made at test time by the
 * JDK's keytool and exported to PEM by openssl.
 */
class ProtectedEndpointTest {
  private static final String STORE_PASSWORD = "Keystore-Pa55word-9d1e";
  private static final String USER = "prometheus";
  private static final String PASSWORD = "Scrape-Pa55word-41c7";

  /** {@code htpasswd -nbBC 5 prometheus 'htpasswd-Secret-42'} from Debian's apache2-utils. */
  private static final String HTPASSWD_HASH =
      "$2y$05$Owb.QBFeJURmLd3K0r8/GucYdFdLnqhGZZs7lCewvjb4LKMuP1Auq";

  private static final String HTPASSWD_PASSWORD = "htpasswd-Secret-42";

  @TempDir static Path certs;

  /** An RSA certificate for 127.0.0.1 and localhost, in every form the settings take. */
  private static Path p12;

  private static Path jks;
  private static Path certPem;
  private static Path keyPem;
  private static Path pkcs1Key;
  private static Path ecCertPem;
  private static Path ecKeyPem;

  @BeforeAll
  static void makeCertificates() throws Exception {
    Path openssl = SystemTools.require("openssl");
    p12 = certs.resolve("server.p12");
    jks = certs.resolve("server.jks");
    certPem = certs.resolve("server.crt");
    keyPem = certs.resolve("server.key");
    pkcs1Key = certs.resolve("server-pkcs1.key");
    ecCertPem = certs.resolve("ec.crt");
    ecKeyPem = certs.resolve("ec.key");
    selfSigned(openssl, p12, certPem, keyPem, "RSA", "-keysize", "2048");
    selfSigned(
        openssl, certs.resolve("ec.p12"), ecCertPem, ecKeyPem, "EC", "-groupname", "secp256r1");
    run(
        keytool(),
        "-importkeystore",
        "-srckeystore",
        p12.toString(),
        "-srcstoretype",
        "PKCS12",
        "-srcstorepass",
        STORE_PASSWORD,
        "-destkeystore",
        jks.toString(),
        "-deststoretype",
        "JKS",
        "-deststorepass",
        STORE_PASSWORD,
        "-destkeypass",
        STORE_PASSWORD,
        "-noprompt");
    run(
        openssl.toString(),
        "pkey",
        "-in",
        keyPem.toString(),
        "-traditional",
        "-out",
        pkcs1Key.toString());
    assertTrue(Files.readString(keyPem).contains("-----BEGIN PRIVATE KEY-----"));
    assertTrue(Files.readString(pkcs1Key).contains("-----BEGIN RSA PRIVATE KEY-----"));
  }

  /** A key pair in a PKCS12 store, its certificate as PEM and its key as PEM PKCS#8. */
  private static void selfSigned(
      Path openssl, Path store, Path cert, Path key, String algorithm, String... size)
      throws Exception {
    String[] command = {
      keytool(),
      "-genkeypair",
      "-alias",
      "server",
      "-keyalg",
      algorithm,
      size[0],
      size[1],
      "-dname",
      "CN=localhost",
      "-ext",
      "san=ip:127.0.0.1,dns:localhost",
      "-validity",
      "2",
      "-storetype",
      "PKCS12",
      "-keystore",
      store.toString(),
      "-storepass",
      STORE_PASSWORD,
      "-keypass",
      STORE_PASSWORD
    };
    run(command);
    run(
        keytool(),
        "-exportcert",
        "-rfc",
        "-alias",
        "server",
        "-keystore",
        store.toString(),
        "-storepass",
        STORE_PASSWORD,
        "-file",
        cert.toString());
    Path both = certs.resolve(key.getFileName() + ".both");
    run(
        openssl.toString(),
        "pkcs12",
        "-in",
        store.toString(),
        "-nocerts",
        "-nodes",
        "-passin",
        "pass:" + STORE_PASSWORD,
        "-out",
        both.toString());
    run(
        openssl.toString(),
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-in",
        both.toString(),
        "-out",
        key.toString());
  }

  private static String keytool() {
    return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
  }

  private static void run(String... command) throws Exception {
    SystemTools.Result result = SystemTools.run(certs, null, command);
    assertEquals(0, result.exitCode(), () -> String.join(" ", command) + ":\n" + result.output());
  }

  /** Settings from HOCON on top of the defaults, on a free loopback port. */
  private static Settings settings(String userText) {
    return Settings.from(
        ConfigFactory.parseString(
                "sensecap.org-id = \"521853156991\"\n"
                    + "sensecap.access-key = \"test-access-key\"\n"
                    + "sensecap.http.host = \"127.0.0.1\"\n"
                    + "sensecap.http.port = 0\n"
                    + userText)
            .withFallback(ConfigFactory.defaultReference())
            .resolve(),
        false);
  }

  private static String quoted(Path path) {
    return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String pem(Path cert, Path key) {
    return "sensecap.http.tls.cert-file = "
        + quoted(cert)
        + "\nsensecap.http.tls.key-file = "
        + quoted(key)
        + "\n";
  }

  private static String keystore(Path store, String password) {
    return "sensecap.http.tls.keystore-file = "
        + quoted(store)
        + "\nsensecap.http.tls.keystore-password = \""
        + password
        + "\"\n";
  }

  private static String users(String hash) {
    return "sensecap.http.basic-auth.users { " + USER + " = \"" + hash + "\" }\n";
  }

  /** A client that trusts only {@code cert}. */
  private static HttpClient trusting(Path cert, String... protocols) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trust.setCertificateEntry(
          "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .sslContext(context)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5));
    if (protocols.length > 0) {
      SSLParameters parameters = context.getDefaultSSLParameters();
      parameters.setProtocols(protocols);
      builder.sslParameters(parameters);
    }
    return builder.build();
  }

  private static HttpResponse<String> get(HttpClient client, String url, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** An endpoint over a store holding one series, closed after each test. */
  abstract static class WithEndpoint {
    final CollectorRegistry registry = new CollectorRegistry();
    final SeriesStore store = new SeriesStore(Clock.systemUTC(), Duration.ofHours(1), 10);
    final AtomicBoolean ready = new AtomicBoolean();
    HttpEndpoint endpoint;

    void start(Settings settings) throws IOException {
      store.update(
          new SeriesKey(Topic.Kind.MEASUREMENT, "2CF7F1C04430065C", "1", "vs", "4097"),
          23.5,
          System.currentTimeMillis());
      endpoint =
          HttpEndpoint.start(
              settings.http(),
              registry,
              new SeriesExposition(store, MeasurementCatalogue.bundled(), () -> Fleet.EMPTY),
              ready::get,
              "1.2.3");
    }

    String url(String scheme, String path) {
      return scheme + "://127.0.0.1:" + endpoint.port() + path;
    }

    @AfterEach
    void close() {
      if (endpoint != null) {
        endpoint.close();
      }
    }

    void assertServesTheSeries(String page) {
      assertEquals(
          23.5,
          MetricsText.value(
              page,
              "sensecap_measurement_value",
              MetricsText.measurement("2CF7F1C04430065C", "1", "vs", "4097")));
    }
  }

  @Nested
  class Https extends WithEndpoint {
    @Test
    void servesMetricsWithAPemCertificateAndPkcs8Key() throws Exception {
      start(settings(pem(certPem, keyPem)));
      HttpResponse<String> response = get(trusting(certPem), url("https", "/metrics"));
      assertEquals(200, response.statusCode());
      assertServesTheSeries(response.body());
    }

    @Test
    void servesMetricsWithAnEcKey() throws Exception {
      start(settings(pem(ecCertPem, ecKeyPem)));
      HttpResponse<String> response = get(trusting(ecCertPem), url("https", "/metrics"));
      assertEquals(200, response.statusCode());
      assertServesTheSeries(response.body());
    }

    @Test
    void servesMetricsWithAPkcs12Keystore() throws Exception {
      start(settings(keystore(p12, STORE_PASSWORD)));
      HttpResponse<String> response = get(trusting(certPem), url("https", "/metrics"));
      assertEquals(200, response.statusCode());
      assertServesTheSeries(response.body());
    }

    @Test
    void servesMetricsWithAJksKeystore() throws Exception {
      start(settings(keystore(jks, STORE_PASSWORD)));
      HttpResponse<String> response = get(trusting(certPem), url("https", "/metrics"));
      assertEquals(200, response.statusCode());
      assertServesTheSeries(response.body());
    }

    @Test
    void speaksTls12AndTls13() throws Exception {
      start(settings(pem(certPem, keyPem)));
      for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
        HttpResponse<String> response =
            get(trusting(certPem, protocol), url("https", "/-/healthy"));
        assertEquals(200, response.statusCode(), protocol);
        assertEquals(protocol, response.sslSession().orElseThrow().getProtocol());
      }
    }

    @Test
    void plainHttpToTheTlsPortFails() throws Exception {
      start(settings(pem(certPem, keyPem)));
      assertThrows(UncheckedIOException.class, () -> Http.get(url("http", "/metrics")));
      // and the server still serves HTTPS afterwards
      assertEquals(200, get(trusting(certPem), url("https", "/-/healthy")).statusCode());
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
      start(settings(pem(certPem, keyPem)));
      assertThrows(IOException.class, () -> get(trusting(ecCertPem), url("https", "/metrics")));
    }
  }

  @Nested
  class BasicAuth extends WithEndpoint {
    private final HttpClient plain =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    void startWithUser() throws IOException {
      start(settings(users(BCrypt.hashpw(PASSWORD, BCrypt.gensalt(4)))));
    }

    @Test
    void noCredentialsIs401WithAChallenge() throws Exception {
      startWithUser();
      for (String path : new String[] {"/metrics", "/", "/-/ready", "/nothing-here"}) {
        HttpResponse<String> response = get(plain, url("http", path));
        assertEquals(401, response.statusCode(), path);
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        assertTrue(
            challenge.startsWith("Basic realm=\"sensecap-exporter\""), path + ": " + challenge);
        assertFalse(response.body().contains("sensecap_"), path);
      }
    }

    @Test
    void otherMethodsAre405WithoutALoginAndUnknownPaths401WithoutOne() throws Exception {
      startWithUser();
      String post = RawHttp.exchange(endpoint.port(), "POST", "/metrics", "Content-Length: 0");
      assertEquals(405, RawHttp.status(post), post);
      assertEquals(401, get(plain, url("http", "/metricsXYZ")).statusCode());
      assertEquals(
          404,
          get(plain, url("http", "/metricsXYZ"), "Authorization", basic(USER, PASSWORD))
              .statusCode());
      String page =
          get(plain, url("http", "/metrics"), "Authorization", basic(USER, PASSWORD)).body();
      assertEquals(
          1.0,
          MetricsText.value(
              page,
              "sensecap_exporter_http_requests_rejected_total",
              java.util.Map.of("reason", "unauthorized")));
    }

    @Test
    void wrongPasswordOrUnknownUserIs401() throws Exception {
      startWithUser();
      for (String authorization :
          new String[] {
            basic(USER, "wrong"),
            basic(USER, PASSWORD + "x"),
            basic(USER, ""),
            basic("someone", PASSWORD),
            basic(USER.toUpperCase(java.util.Locale.ROOT), PASSWORD),
            basic(USER, "x".repeat(100)),
            "Basic !!!not-base64",
            "Basic " + Base64.getEncoder().encodeToString(USER.getBytes(StandardCharsets.UTF_8)),
            "Bearer " + PASSWORD
          }) {
        assertEquals(
            401,
            get(plain, url("http", "/metrics"), "Authorization", authorization).statusCode(),
            authorization);
      }
    }

    @Test
    void rightCredentialsServeEveryPath() throws Exception {
      startWithUser();
      String authorization = basic(USER, PASSWORD);
      HttpResponse<String> metrics =
          get(plain, url("http", "/metrics"), "Authorization", authorization);
      assertEquals(200, metrics.statusCode());
      assertServesTheSeries(metrics.body());
      assertEquals(200, get(plain, url("http", "/"), "Authorization", authorization).statusCode());
      assertEquals(
          503, get(plain, url("http", "/-/ready"), "Authorization", authorization).statusCode());
      ready.set(true);
      assertEquals(
          200, get(plain, url("http", "/-/ready"), "Authorization", authorization).statusCode());
    }

    @Test
    void healthyIsOpenWithoutCredentials() throws Exception {
      startWithUser();
      assertEquals(200, get(plain, url("http", "/-/healthy")).statusCode());
    }

    @Test
    void acceptsAHashMadeByHtpasswd() throws Exception {
      start(settings(users(HTPASSWD_HASH)));
      assertEquals(
          200,
          get(plain, url("http", "/metrics"), "Authorization", basic(USER, HTPASSWD_PASSWORD))
              .statusCode());
      assertEquals(
          401,
          get(plain, url("http", "/metrics"), "Authorization", basic(USER, PASSWORD)).statusCode());
    }

    @Test
    void worksOverHttpsToo() throws Exception {
      start(settings(pem(certPem, keyPem) + users(BCrypt.hashpw(PASSWORD, BCrypt.gensalt(4)))));
      HttpClient client = trusting(certPem);
      assertEquals(401, get(client, url("https", "/metrics")).statusCode());
      assertEquals(
          200,
          get(client, url("https", "/metrics"), "Authorization", basic(USER, PASSWORD))
              .statusCode());
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class BadSettings {
    Stream<Arguments> badConfigs() throws IOException {
      String tls = "sensecap.http.tls.";
      String users = "sensecap.http.basic-auth.users";
      Path missing = certs.resolve("missing.pem");
      Path garbage = Files.writeString(certs.resolve("garbage.pem"), "not a certificate\n");
      String hash = BCrypt.hashpw(PASSWORD, BCrypt.gensalt(4));
      return Stream.of(
          Arguments.of(tls + "keystore-file", pem(certPem, keyPem) + keystore(p12, STORE_PASSWORD)),
          Arguments.of(
              tls + "keystore-file",
              keystore(p12, STORE_PASSWORD) + tls + "key-file = " + quoted(keyPem)),
          Arguments.of(tls + "key-file", tls + "cert-file = " + quoted(certPem)),
          Arguments.of(tls + "cert-file", tls + "key-file = " + quoted(keyPem)),
          Arguments.of(tls + "cert-file", pem(missing, keyPem)),
          Arguments.of(tls + "key-file", pem(certPem, missing)),
          Arguments.of(tls + "cert-file", pem(certs, keyPem)),
          Arguments.of(tls + "cert-file", pem(garbage, keyPem)),
          Arguments.of(tls + "cert-file", pem(keyPem, keyPem)),
          Arguments.of(tls + "key-file", pem(certPem, certPem)),
          Arguments.of(tls + "key-file", pem(certPem, garbage)),
          Arguments.of(tls + "key-file", pem(certPem, pkcs1Key)),
          Arguments.of(tls + "key-file", pem(certPem, ecKeyPem)),
          Arguments.of(tls + "key-file", pem(ecCertPem, keyPem)),
          Arguments.of(tls + "keystore-password", keystore(p12, PASSWORD)),
          Arguments.of(tls + "keystore-password", keystore(jks, PASSWORD)),
          Arguments.of(tls + "keystore-password", keystore(p12, "")),
          Arguments.of(tls + "keystore-file", keystore(missing, STORE_PASSWORD)),
          Arguments.of(tls + "keystore-file", keystore(certPem, STORE_PASSWORD)),
          Arguments.of(tls + "keystore-file", keystore(certs, STORE_PASSWORD)),
          Arguments.of(
              tls + "keystore-password", tls + "keystore-password = \"" + STORE_PASSWORD + "\""),
          Arguments.of(users + "." + USER, users + " { " + USER + " = \"" + PASSWORD + "\" }"),
          Arguments.of(
              users + "." + USER, users + " { " + USER + " = \"" + hash.substring(2) + "\" }"),
          Arguments.of(
              users + "." + USER,
              users + " { " + USER + " = \"" + hash.replace("2a", "2x") + "\" }"),
          Arguments.of(users + "." + USER, users + " { " + USER + " = \"" + hash + "=\" }"),
          Arguments.of(users + "." + USER, users + " { " + USER + " = 12345 }"),
          Arguments.of(users + ".\"a:b\"", users + " { \"a:b\" = \"" + hash + "\" }"),
          Arguments.of(users + ".\"\"", users + " { \"\" = \"" + hash + "\" }"),
          Arguments.of(users, users + " = \"" + PASSWORD + "\""),
          Arguments.of("sensecap.http.tls.cert", "sensecap.http.tls.cert = \"x\""),
          Arguments.of("sensecap.http.basic-auth.user", "sensecap.http.basic-auth.user = \"x\""));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badConfigs")
    void namesTheKeyAndNeverThePassword(String key, String userText) {
      SettingsException e =
          assertThrows(
              SettingsException.class, () -> settings(userText), () -> "accepted:\n" + userText);
      String message = e.getMessage();
      assertNotNull(message);
      assertTrue(
          message.startsWith(key + ":"), () -> "message should start with " + key + ": " + message);
      assertFalse(
          message.contains(STORE_PASSWORD), () -> "leaks the keystore password: " + message);
      assertFalse(message.contains(PASSWORD), () -> "leaks a password: " + message);
    }

    @Test
    void aPkcs1KeyIsToldHowToConvert() {
      SettingsException e =
          assertThrows(SettingsException.class, () -> settings(pem(certPem, pkcs1Key)));
      assertTrue(e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), e.getMessage());
    }

    @Test
    void theKeystorePasswordIsHiddenInTheSettings() {
      Settings settings = settings(keystore(p12, STORE_PASSWORD) + users(HTPASSWD_HASH));
      assertTrue(settings.http().tls().isPresent());
      assertEquals("https", settings.http().scheme());
      assertFalse(settings.toString().contains(STORE_PASSWORD), settings.toString());
      assertFalse(settings.toString().contains(HTPASSWD_HASH), settings.toString());
    }

    @Test
    void theDefaultsArePlainHttpWithoutLogin() {
      Settings settings = settings("");
      assertTrue(settings.http().tls().isEmpty());
      assertTrue(settings.http().basicAuthUsers().isEmpty());
      assertEquals("http", settings.http().scheme());
    }

    @Test
    void userNamesWithDotsAreUsersNotKeys() {
      Settings settings =
          settings("sensecap.http.basic-auth.users { \"ops.team\" = \"" + HTPASSWD_HASH + "\" }\n");
      assertEquals(java.util.Set.of("ops.team"), settings.http().basicAuthUsers().keySet());
    }
  }

  @Nested
  class PrometheusScrape extends WithEndpoint {
    @TempDir Path dir;

    @Test
    void debiansPrometheusScrapesOverHttpsWithBasicAuth() throws Exception {
      start(settings(pem(certPem, keyPem) + users(BCrypt.hashpw(PASSWORD, BCrypt.gensalt(4)))));
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(
          config,
          "global:\n"
              + "  scrape_interval: 1s\n"
              + "scrape_configs:\n"
              + "  - job_name: sensecap\n"
              + "    scheme: https\n"
              + "    tls_config:\n"
              + "      ca_file: '"
              + certPem
              + "'\n"
              + "    basic_auth:\n"
              + "      username: "
              + USER
              + "\n"
              + "      password: '"
              + PASSWORD
              + "'\n"
              + "    static_configs:\n"
              + "      - targets: ['127.0.0.1:"
              + endpoint.port()
              + "']\n");
      try (Prometheus prometheus = Prometheus.start(dir, config)) {
        Await.until(
            Duration.ofSeconds(30),
            "up{job=\"sensecap\"} == 1",
            () -> prometheus.query("up{job=\"sensecap\"} == 1").size() == 1);
        Await.until(
            Duration.ofSeconds(30),
            "the series scraped",
            () -> prometheus.query("sensecap_measurement_value").size() == 1);
        assertEquals(23.5, prometheus.scalar("sensecap_measurement_value"), prometheus.log());
      }
    }
  }
}
