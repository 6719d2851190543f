package io.github.sensecapexporter.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Everything the exporter needs to run, read once at start-up from Typesafe Config and checked, so
 * that the rest of the program never sees an invalid value.
 */
public record Settings(
    String orgId,
    Mqtt mqtt,
    Http http,
    Series series,
    State state,
    Level logLevel,
    Demo demo,
    ApiSettings api) {

  /** The broker connection. {@code password} is the access key. */
  public record Mqtt(
      String url,
      String clientId,
      boolean clientIdPinned,
      String username,
      Secret password,
      List<String> topics,
      int qos,
      boolean cleanSession,
      Duration keepAlive,
      Duration connectTimeout,
      Duration initialReconnectDelay,
      Duration maxReconnectDelay,
      int maxPayloadBytes,
      Optional<Tls> tls) {

    public Mqtt withUrl(String newUrl) {
      return new Mqtt(
          newUrl,
          clientId,
          clientIdPinned,
          username,
          password,
          topics,
          qos,
          cleanSession,
          keepAlive,
          connectTimeout,
          initialReconnectDelay,
          maxReconnectDelay,
          maxPayloadBytes,
          tls);
    }

    /** True for ssl:// and wss://, the URLs that {@link #tls()} applies to. */
    public boolean usesTls() {
      return isTlsScheme(scheme(url));
    }
  }

  /**
   * TLS options of an ssl:// or wss:// connection, present when any of them is set. {@code context}
   * trusts the CA certificates of {@code caFile} (or the JVM's trust store when there is none) and
   * presents the client certificate of {@code certFile} and {@code keyFile} when they are set.
   */
  public record Tls(
      Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile, SSLContext context) {
    @Override
    public String toString() {
      return "Tls[caFile="
          + caFile.map(Path::toString).orElse("(JVM trust store)")
          + ", certFile="
          + certFile.map(Path::toString).orElse("(none)")
          + ", keyFile="
          + keyFile.map(Path::toString).orElse("(none)")
          + "]";
    }
  }

  /**
   * The HTTP server. {@code tls} is present when it serves HTTPS; {@code basicAuthUsers} maps each
   * user to its bcrypt hash and is empty when no login is required.
   */
  public record Http(
      String host, int port, Optional<SSLContext> tls, Map<String, Secret> basicAuthUsers) {
    public Http {
      basicAuthUsers = Map.copyOf(basicAuthUsers);
    }

    /** Plain HTTP without a login. */
    public Http(String host, int port) {
      this(host, port, Optional.empty(), Map.of());
    }

    public String scheme() {
      return tls.isPresent() ? "https" : "http";
    }
  }

  public record Series(Duration expireAfter, int maxSeries) {}

  /** Where series are saved across restarts; {@code path} is empty when that is off. */
  public record State(Optional<Path> path, Duration saveInterval) {}

  /** Present only in demo mode. */
  public record Demo(int mqttPort, int websocketPort, Duration publishInterval) {}

  public static final String ROOT = "sensecap";
  private static final Set<String> SCHEMES = Set.of("tcp", "ssl", "ws", "wss");
  private static final String USERS = ROOT + ".http.basic-auth.users";
  // As Prometheus' web config accepts them: $2a$, $2b$ or $2y$, a cost of 04-31, 22 characters of
  // salt and 31 of hash in bcrypt's base64 alphabet.
  private static final Pattern BCRYPT =
      Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
  private static final Map<String, Level> LEVELS =
      Map.of(
          "ERROR", Level.SEVERE,
          "WARN", Level.WARNING,
          "INFO", Level.INFO,
          "DEBUG", Level.FINE,
          "TRACE", Level.FINEST);
  private static final String CLIENT_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final int CLIENT_ID_RANDOM_LENGTH = 10;
  private static final SecureRandom RANDOM = new SecureRandom();

  public Settings withMqttUrl(String url) {
    return new Settings(orgId, mqtt.withUrl(url), http, series, state, logLevel, demo, api);
  }

  public Settings withApi(ApiSettings newApi) {
    return new Settings(orgId, mqtt, http, series, state, logLevel, demo, newApi);
  }

  /**
   * Reads the configuration: {@code overrides} (the command line's {@code --set}) over the
   * environment's {@code CONFIG_FORCE_} variables (Typesafe Config's names: {@code _} for a dot,
   * {@code __} for a dash) over system properties over {@code file} (or {@code application.conf} in
   * the working directory when there is no file) over the defaults in {@code reference.conf}. Each
   * override is read as a system property is: a string, converted as its key needs.
   */
  public static Settings load(
      Optional<Path> file, Map<String, String> overrides, boolean demoMode) {
    Config user;
    try {
      if (file.isPresent()) {
        ConfigFiles.requireReadable("--config", file.get());
        user = parse(file.get());
      } else {
        Path local = Path.of("application.conf");
        user = Files.isRegularFile(local) ? parse(local) : ConfigFactory.empty();
      }
      KnownKeys.checkUnresolved(user);
      Config merged =
          ConfigFactory.parseMap(overrides, "--set")
              .withFallback(ConfigFactory.systemEnvironmentOverrides())
              .withFallback(ConfigFactory.systemProperties())
              .withFallback(user)
              .withFallback(ConfigFactory.defaultReference())
              .resolve();
      return from(merged, demoMode);
    } catch (ConfigException e) {
      throw new SettingsException(e.getMessage(), e);
    }
  }

  private static Config parse(Path path) {
    return ConfigFactory.parseFile(
        path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
  }

  /** Builds settings from a resolved configuration that already holds the defaults. */
  public static Settings from(Config config, boolean demoMode) {
    try {
      KnownKeys.check(config);
      Demo demo = demoMode ? demo(config) : null;
      String orgId = config.getString(ROOT + ".org-id").strip();
      if (orgId.isEmpty() && demoMode) {
        orgId = config.getString(ROOT + ".demo.org-id");
      }
      if (orgId.isEmpty()) {
        throw new SettingsException(
            ROOT + ".org-id", "is required (set it or the environment variable SENSECAP_ORG_ID)");
      }
      if (!isTopicLevel(orgId)) {
        throw new SettingsException(ROOT + ".org-id", "must not contain '/', '+', '#' or NUL");
      }
      Secret accessKey = accessKey(config, demoMode);
      return new Settings(
          orgId,
          mqtt(config, orgId, accessKey),
          http(config),
          series(config),
          state(config, demoMode),
          logLevel(config),
          demo,
          ApiSettings.from(config, accessKey, demoMode));
    } catch (ConfigException e) {
      throw new SettingsException(e.getMessage(), e);
    }
  }

  private static boolean isTopicLevel(String value) {
    return value.indexOf('/') < 0
        && value.indexOf('+') < 0
        && value.indexOf('#') < 0
        && value.indexOf('\0') < 0;
  }

  private static Secret accessKey(Config config, boolean demoMode) {
    if (demoMode) {
      // The demo's broker needs no key: never send the real one anywhere it could be logged.
      return new Secret("");
    }
    String inline = config.getString(ROOT + ".access-key").strip();
    String file = config.getString(ROOT + ".access-key-file").strip();
    if (!inline.isEmpty() && !file.isEmpty()) {
      throw new SettingsException(
          ROOT + ".access-key-file",
          "set either " + ROOT + ".access-key or " + ROOT + ".access-key-file, not both");
    }
    if (!file.isEmpty()) {
      String key =
          new String(
                  ConfigFiles.read(
                      ROOT + ".access-key-file", ConfigFiles.path(ROOT + ".access-key-file", file)),
                  StandardCharsets.UTF_8)
              .stripTrailing();
      if (key.isEmpty()) {
        throw new SettingsException(ROOT + ".access-key-file", "the file it names is empty");
      }
      return new Secret(key);
    }
    if (inline.isEmpty()) {
      throw new SettingsException(
          ROOT + ".access-key",
          "is required (set it, the environment variable SENSECAP_ACCESS_KEY,"
              + " or "
              + ROOT
              + ".access-key-file)");
    }
    return new Secret(inline);
  }

  private static Mqtt mqtt(Config config, String orgId, Secret password) {
    String prefix = ROOT + ".mqtt.";
    String url = config.getString(prefix + "url").strip();
    checkUrl(prefix + "url", url);

    String clientId = config.getString(prefix + "client-id").strip();
    boolean pinned = !clientId.isEmpty();
    if (clientId.getBytes(StandardCharsets.UTF_8).length > 65_535) {
      throw new SettingsException(prefix + "client-id", "must not be longer than 65535 bytes");
    }
    if (!pinned) {
      clientId = generatedClientId(orgId);
    }
    String username = config.getString(prefix + "username").strip();
    if (username.isEmpty()) {
      username = "org-" + orgId;
    }

    List<String> topics = config.getStringList(prefix + "topics");
    if (topics.isEmpty()) {
      topics =
          List.of(
              "/device_sensor_data/" + orgId + "/+/+/+/+",
              "/device_status_event/" + orgId + "/+/+/+");
    }
    for (int i = 0; i < topics.size(); i++) {
      String problem = TopicFilters.problem(topics.get(i));
      if (problem != null) {
        throw new SettingsException(prefix + "topics[" + i + "]", problem);
      }
    }
    if (Set.copyOf(topics).size() != topics.size()) {
      throw new SettingsException(prefix + "topics", "lists a filter twice");
    }

    int qos = config.getInt(prefix + "qos");
    if (qos < 0 || qos > 1) {
      // QoS 2 would make the client hold every message until the broker releases it, for a
      // guarantee that gauges of the latest value do not need: a duplicate rewrites the same value.
      throw new SettingsException(prefix + "qos", "must be 0 or 1, not " + qos);
    }
    Duration keepAlive = positive(config, prefix + "keep-alive");
    if (keepAlive.toSeconds() < 1 || keepAlive.toSeconds() > 65_535) {
      throw new SettingsException(prefix + "keep-alive", "must be between 1s and 65535s");
    }
    Duration initialDelay = atMost(config, prefix + "initial-reconnect-delay", Duration.ofDays(1));
    Duration maxDelay = atMost(config, prefix + "max-reconnect-delay", Duration.ofDays(1));
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new SettingsException(
          prefix + "max-reconnect-delay",
          "must not be shorter than " + prefix + "initial-reconnect-delay");
    }
    long maxPayload = config.getBytes(prefix + "max-payload-size");
    if (maxPayload <= 0 || maxPayload > 256L * 1024 * 1024) {
      throw new SettingsException(prefix + "max-payload-size", "must be between 1 byte and 256MiB");
    }
    return new Mqtt(
        url,
        clientId,
        pinned,
        username,
        password,
        List.copyOf(topics),
        qos,
        config.getBoolean(prefix + "clean-session"),
        keepAlive,
        atMost(config, prefix + "connect-timeout", Duration.ofHours(1)),
        initialDelay,
        maxDelay,
        (int) maxPayload,
        tls(config, prefix + "tls.", url));
  }

  private static Optional<Tls> tls(Config config, String prefix, String url) {
    String caKey = prefix + "ca-file";
    String certKey = prefix + "cert-file";
    String keyKey = prefix + "key-file";
    Optional<Path> caFile = file(config, caKey);
    Optional<Path> certFile = file(config, certKey);
    Optional<Path> keyFile = file(config, keyKey);
    if (caFile.isEmpty() && certFile.isEmpty() && keyFile.isEmpty()) {
      return Optional.empty();
    }
    String scheme = scheme(url);
    if (!isTlsScheme(scheme)) {
      String key = caFile.isPresent() ? caKey : certFile.isPresent() ? certKey : keyKey;
      throw new SettingsException(
          key,
          "is only used with ssl:// or wss://, and "
              + ROOT
              + ".mqtt.url is "
              + scheme
              + "://; use an ssl:// or wss:// URL or leave it empty");
    }
    if (certFile.isPresent() && keyFile.isEmpty()) {
      throw new SettingsException(keyKey, "is required with " + certKey + " (the client key)");
    }
    if (keyFile.isPresent() && certFile.isEmpty()) {
      throw new SettingsException(
          certKey, "is required with " + keyKey + " (the client certificate)");
    }
    SSLContext context = ClientTls.context(caKey, caFile, certKey, certFile, keyKey, keyFile);
    return Optional.of(new Tls(caFile, certFile, keyFile, context));
  }

  /** An optional file name: empty when the value is empty. */
  private static Optional<Path> file(Config config, String key) {
    String name = config.getString(key).strip();
    if (name.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(name));
    } catch (InvalidPathException e) {
      throw new SettingsException(key, "is not a file name: " + e.getReason());
    }
  }

  private static String scheme(String url) {
    int end = url.indexOf("://");
    return end < 0 ? "" : url.substring(0, end).toLowerCase(Locale.ROOT);
  }

  private static boolean isTlsScheme(String scheme) {
    return scheme.equals("ssl") || scheme.equals("wss");
  }

  private static void checkUrl(String key, String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new SettingsException(key, "is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!url.contains("://")) {
      throw new SettingsException(key, "has no scheme; use tcp://, ssl://, ws:// or wss://");
    }
    if (!SCHEMES.contains(scheme)) {
      throw new SettingsException(
          key, "has scheme '" + scheme + "'; use tcp://, ssl://, ws:// or wss://");
    }
    if (uri.getRawAuthority() == null || uri.getRawAuthority().isEmpty()) {
      throw new SettingsException(key, "has no host");
    }
    if (uri.getRawAuthority().contains("@")) {
      throw new SettingsException(key, "must not hold credentials; use sensecap.access-key");
    }
    // java.net.URI leaves host names with '_' (common in Compose) unparsed; Paho accepts them.
    String authority = uri.getRawAuthority();
    int colon = authority.lastIndexOf(':');
    boolean hasPort = authority.startsWith("[") ? colon > authority.indexOf(']') : colon >= 0;
    if ((hasPort ? authority.substring(0, colon) : authority).isEmpty()) {
      throw new SettingsException(key, "has no host");
    }
    if (hasPort) {
      String port = authority.substring(colon + 1);
      long number;
      try {
        number = Long.parseLong(port);
      } catch (NumberFormatException e) {
        throw new SettingsException(key, "has port '" + port + "', not a number");
      }
      if (number < 1 || number > 65_535) {
        throw new SettingsException(key, "has port " + number + ", outside 1-65535");
      }
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new SettingsException(key, "takes no query or fragment");
    }
    if ((scheme.equals("ws") || scheme.equals("wss")) && uri.getHost() == null) {
      // The JDK's WebSocket client, which carries ws:// and wss://, needs a host java.net.URI
      // parses: no '_' (a Compose service can take an alias without one).
      throw new SettingsException(
          key, "has a host name that " + scheme + ":// cannot use; a name without '_' will do");
    }
    if ((scheme.equals("tcp") || scheme.equals("ssl"))
        && uri.getRawPath() != null
        && !uri.getRawPath().isEmpty()) {
      throw new SettingsException(key, "takes no path with " + scheme + "://");
    }
  }

  private static String generatedClientId(String orgId) {
    return "org-" + orgId + "-" + randomClientIdPart();
  }

  /** A generated client id with a new random part: org-<org-id>-<random>. */
  public static String regeneratedClientId(String previous) {
    return previous.substring(0, previous.lastIndexOf('-') + 1) + randomClientIdPart();
  }

  private static String randomClientIdPart() {
    StringBuilder part = new StringBuilder(CLIENT_ID_RANDOM_LENGTH);
    for (int i = 0; i < CLIENT_ID_RANDOM_LENGTH; i++) {
      part.append(CLIENT_ID_ALPHABET.charAt(RANDOM.nextInt(CLIENT_ID_ALPHABET.length())));
    }
    return part.toString();
  }

  private static Http http(Config config) {
    String prefix = ROOT + ".http.";
    String host = config.getString(prefix + "host").strip();
    if (host.isEmpty()) {
      throw new SettingsException(
          prefix + "host", "must not be empty (use 0.0.0.0 for every address)");
    }
    int port = port(config, prefix + "port");
    if (new InetSocketAddress(host, port).isUnresolved()) {
      throw new SettingsException(
          prefix + "host", "'" + host + "' is not an address of this machine");
    }
    return new Http(host, port, tls(config), basicAuthUsers(config));
  }

  private static Optional<SSLContext> tls(Config config) {
    String prefix = ROOT + ".http.tls.";
    String certFile = config.getString(prefix + "cert-file").strip();
    String keyFile = config.getString(prefix + "key-file").strip();
    String keystoreFile = config.getString(prefix + "keystore-file").strip();
    Secret keystorePassword = new Secret(config.getString(prefix + "keystore-password"));
    if (!keystoreFile.isEmpty() && (!certFile.isEmpty() || !keyFile.isEmpty())) {
      throw new SettingsException(
          prefix + "keystore-file",
          "set either "
              + prefix
              + "cert-file and key-file or "
              + prefix
              + "keystore-file, not both");
    }
    if (!keystoreFile.isEmpty()) {
      return Optional.of(
          TlsFiles.fromKeystore(
              prefix + "keystore-file",
              keystoreFile,
              prefix + "keystore-password",
              keystorePassword));
    }
    if (!keystorePassword.isEmpty()) {
      throw new SettingsException(
          prefix + "keystore-password",
          "is set but "
              + prefix
              + "keystore-file is empty (check SENSECAP_HTTP_KEYSTORE_PASSWORD)");
    }
    if (certFile.isEmpty() && keyFile.isEmpty()) {
      return Optional.empty();
    }
    if (keyFile.isEmpty()) {
      throw new SettingsException(prefix + "key-file", "is required with " + prefix + "cert-file");
    }
    if (certFile.isEmpty()) {
      throw new SettingsException(prefix + "cert-file", "is required with " + prefix + "key-file");
    }
    return Optional.of(
        TlsFiles.fromPem(prefix + "cert-file", certFile, prefix + "key-file", keyFile));
  }

  private static Map<String, Secret> basicAuthUsers(Config config) {
    Map<String, Secret> users = new TreeMap<>();
    ConfigObject object;
    try {
      object = config.getObject(USERS);
    } catch (ConfigException.WrongType e) {
      throw new SettingsException(
          USERS,
          "must be an object of user = \"<bcrypt hash>\" entries, such as { alice = \"$2y$10$...\" }");
    }
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      String user = entry.getKey();
      String key = USERS + "." + ConfigUtil.joinPath(user);
      if (user.isEmpty()
          || user.indexOf(':') >= 0
          || user.chars().anyMatch(Character::isISOControl)) {
        throw new SettingsException(
            key, "is not a user name (empty, or with ':' or a control character)");
      }
      ConfigValue value = entry.getValue();
      if (value.valueType() != ConfigValueType.STRING) {
        throw new SettingsException(
            key, "must be a bcrypt hash in quotes, not " + value.valueType());
      }
      String hash = ((String) value.unwrapped()).strip();
      if (!BCRYPT.matcher(hash).matches()) {
        // The value is not shown: someone may have put a plain password here.
        throw new SettingsException(
            key,
            "is not a bcrypt hash ($2a$, $2b$ or $2y$, as htpasswd -nbBC 10 USER PASSWORD makes);"
                + " the value is not shown");
      }
      users.put(user, new Secret(hash));
    }
    return users;
  }

  private static Series series(Config config) {
    String prefix = ROOT + ".series.";
    int maxSeries = config.getInt(prefix + "max-series");
    if (maxSeries < 1) {
      throw new SettingsException(prefix + "max-series", "must be at least 1, not " + maxSeries);
    }
    return new Series(positive(config, prefix + "expire-after"), maxSeries);
  }

  private static State state(Config config, boolean demoMode) {
    String prefix = ROOT + ".state.";
    String path = config.getString(prefix + "path").strip();
    Duration saveInterval = positive(config, prefix + "save-interval");
    Optional<Path> file = Optional.empty();
    if (!path.isEmpty() && !demoMode) {
      try {
        file = Optional.of(Path.of(path));
      } catch (InvalidPathException e) {
        throw new SettingsException(prefix + "path", "is not a file name: " + e.getReason());
      }
      if (Files.isDirectory(file.get())) {
        throw new SettingsException(prefix + "path", "is a directory; name a file in it");
      }
    }
    return new State(file, saveInterval);
  }

  private static Level logLevel(Config config) {
    String key = ROOT + ".log.level";
    String name = config.getString(key).strip().toUpperCase(Locale.ROOT);
    Level level = LEVELS.get(name);
    if (level == null) {
      throw new SettingsException(
          key, "must be ERROR, WARN, INFO, DEBUG or TRACE, not '" + name + "'");
    }
    return level;
  }

  private static Demo demo(Config config) {
    String prefix = ROOT + ".demo.";
    return new Demo(
        port(config, prefix + "mqtt-port"),
        port(config, prefix + "websocket-port"),
        positive(config, prefix + "publish-interval"));
  }

  private static int port(Config config, String key) {
    int port = config.getInt(key);
    if (port < 0 || port > 65_535) {
      throw new SettingsException(key, "must be between 0 and 65535, not " + port);
    }
    return port;
  }

  static Duration atMost(Config config, String key, Duration limit) {
    Duration duration = positive(config, key);
    if (duration.compareTo(limit) > 0) {
      throw new SettingsException(
          key, "must be at most " + limit.toString().substring(2).toLowerCase(Locale.ROOT));
    }
    return duration;
  }

  private static Duration positive(Config config, String key) {
    Duration duration = config.getDuration(key);
    if (duration.isNegative() || duration.isZero()) {
      throw new SettingsException(key, "must be a positive duration such as 30s, not " + duration);
    }
    return duration;
  }
}
