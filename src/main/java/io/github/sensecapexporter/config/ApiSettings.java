package io.github.sensecapexporter.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.github.sensecapexporter.fleet.Device;
import io.github.sensecapexporter.fleet.Fleet;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * The fleet's metadata settings: the SenseCAP HTTP API ({@code sensecap.api}), used only when an
 * API ID is set, and devices described by hand ({@code sensecap.devices}).
 */
public record ApiSettings(
    Optional<Connection> connection,
    Duration refreshInterval,
    Duration requestTimeout,
    Fleet devices) {

  /**
   * How to reach the API: HTTP Basic with the API ID and the access key. {@code tls} is present
   * when {@code ca-file} is set; otherwise the JVM's trust store applies.
   */
  public record Connection(URI url, String accessId, Secret accessKey, Optional<SSLContext> tls) {
    /**
     * The value of the Authorization header, {@code Basic <Base64 of id:key>}: a secret as much as
     * the key, since the key is one decoding away.
     */
    public Secret authorization() {
      return new Secret(
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      (accessId + ":" + accessKey.reveal()).getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
      return "Connection[url="
          + url
          + ", accessId="
          + accessId
          + ", accessKey="
          + accessKey
          + ", tls="
          + (tls.isPresent() ? "ca-file" : "(JVM trust store)")
          + "]";
    }
  }

  private static final String PREFIX = Settings.ROOT + ".api.";
  static final String DEVICES = Settings.ROOT + ".devices";
  private static final Set<String> DEVICE_FIELDS = Set.of("name", "group", "latitude", "longitude");
  private static final Duration MIN_REFRESH = Duration.ofMinutes(1);
  private static final Duration MAX_REFRESH = Duration.ofDays(1);
  private static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

  /** These settings with another API: the demo's simulated one. */
  public ApiSettings withConnection(URI url, String accessId, Secret accessKey) {
    return new ApiSettings(
        Optional.of(new Connection(url, accessId, accessKey, Optional.empty())),
        refreshInterval,
        requestTimeout,
        devices);
  }

  /**
   * Reads {@code sensecap.api} and {@code sensecap.devices}. {@code accessKey} is the OpenStream
   * access key, the API's password too. In demo mode the demo's own API replaces any configured.
   */
  static ApiSettings from(Config config, Secret accessKey, boolean demoMode) {
    Fleet devices = devices(config);
    String accessId = config.getString(PREFIX + "access-id").strip();
    String urlText = config.getString(PREFIX + "url").strip();
    URI url = url(PREFIX + "url", urlText);
    Duration refresh = Settings.atMost(config, PREFIX + "refresh-interval", MAX_REFRESH);
    if (refresh.compareTo(MIN_REFRESH) < 0) {
      throw new SettingsException(
          PREFIX + "refresh-interval", "must be at least 1m: the API is not for polling fast");
    }
    Duration timeout = Settings.atMost(config, PREFIX + "request-timeout", MAX_TIMEOUT);
    Optional<SSLContext> tls = tls(config, url);
    if (demoMode || accessId.isEmpty()) {
      return new ApiSettings(Optional.empty(), refresh, timeout, devices);
    }
    if (accessId.indexOf(':') >= 0 || accessId.chars().anyMatch(Character::isISOControl)) {
      throw new SettingsException(
          PREFIX + "access-id", "must not contain ':' or a control character");
    }
    return new ApiSettings(
        Optional.of(new Connection(url, accessId, accessKey, tls)), refresh, timeout, devices);
  }

  private static URI url(String key, String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new SettingsException(key, "is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new SettingsException(key, "must start with https:// (or http:// for a local proxy)");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new SettingsException(key, "has no host");
    }
    if (uri.getRawUserInfo() != null) {
      throw new SettingsException(
          key, "must not hold credentials; use sensecap.api.access-id and sensecap.access-key");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new SettingsException(key, "takes no query or fragment");
    }
    // The calls are appended to it: /openapi/list_groups.
    return text.endsWith("/") ? uri : URI.create(text + "/");
  }

  private static Optional<SSLContext> tls(Config config, URI url) {
    String caKey = PREFIX + "tls.ca-file";
    String name = config.getString(caKey).strip();
    if (name.isEmpty()) {
      return Optional.empty();
    }
    if (!url.getScheme().equalsIgnoreCase("https")) {
      throw new SettingsException(caKey, "is only used with an https:// " + PREFIX + "url");
    }
    Path file;
    try {
      file = Path.of(name);
    } catch (InvalidPathException e) {
      throw new SettingsException(caKey, "is not a file name: " + e.getReason());
    }
    return Optional.of(ClientTls.trusting(caKey, file));
  }

  private static Fleet devices(Config config) {
    ConfigObject object;
    try {
      object = config.getObject(DEVICES);
    } catch (ConfigException.WrongType e) {
      throw new SettingsException(
          DEVICES,
          "must be an object of \"<EUI>\" { name = \"...\", group = \"...\", latitude = ...,"
              + " longitude = ... } entries");
    }
    Map<String, Device> devices = new HashMap<>();
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      String key = DEVICES + "." + ConfigUtil.joinPath(entry.getKey());
      if (!Fleet.isEui(entry.getKey())) {
        throw new SettingsException(key, "is not a device EUI (16 hexadecimal digits)");
      }
      String eui = Fleet.normalEui(entry.getKey());
      if (devices.containsKey(eui)) {
        throw new SettingsException(key, "names a device given already (EUIs ignore case)");
      }
      if (!(entry.getValue() instanceof ConfigObject fields)) {
        throw new SettingsException(
            key, "must be an object such as { name = \"Meeting room 3\", group = \"HQ\" }");
      }
      devices.put(eui, device(key, eui, fields));
    }
    return new Fleet(devices, Map.of());
  }

  private static Device device(String key, String eui, ConfigObject fields) {
    for (String field : fields.keySet()) {
      if (!DEVICE_FIELDS.contains(field)) {
        throw new SettingsException(
            key + "." + ConfigUtil.joinPath(field),
            "is not a device field (name, group, latitude, longitude)");
      }
    }
    Config device = fields.toConfig();
    String name = text(device, key, "name");
    String group = text(device, key, "group");
    OptionalDouble latitude = coordinate(device, key, "latitude", 90);
    OptionalDouble longitude = coordinate(device, key, "longitude", 180);
    if (latitude.isPresent() != longitude.isPresent()) {
      String missing = latitude.isPresent() ? "longitude" : "latitude";
      throw new SettingsException(
          key + "." + missing,
          "is required with " + (latitude.isPresent() ? "latitude" : "longitude"));
    }
    return Device.manual(eui, name, group, latitude, longitude);
  }

  private static String text(Config device, String key, String field) {
    if (!device.hasPath(field)) {
      return "";
    }
    ConfigValue value = device.getValue(field);
    if (value.valueType() != ConfigValueType.STRING) {
      throw new SettingsException(key + "." + field, "must be a string in quotes");
    }
    String text = ((String) value.unwrapped()).strip();
    if (text.isEmpty()) {
      throw new SettingsException(key + "." + field, "must not be empty; leave it out instead");
    }
    if (text.length() > Fleet.MAX_LABEL_CHARS) {
      throw new SettingsException(
          key + "." + field, "must be at most " + Fleet.MAX_LABEL_CHARS + " characters");
    }
    if (text.chars().anyMatch(Character::isISOControl)) {
      throw new SettingsException(key + "." + field, "must not contain a control character");
    }
    return text;
  }

  private static OptionalDouble coordinate(Config device, String key, String field, int limit) {
    if (!device.hasPath(field)) {
      return OptionalDouble.empty();
    }
    double value;
    try {
      value = device.getDouble(field);
    } catch (ConfigException.WrongType e) {
      throw new SettingsException(key + "." + field, "must be a number of degrees");
    }
    if (!Double.isFinite(value) || Math.abs(value) > limit) {
      throw new SettingsException(
          key + "." + field, "must be between -" + limit + " and " + limit + ", not " + value);
    }
    return OptionalDouble.of(value);
  }
}
