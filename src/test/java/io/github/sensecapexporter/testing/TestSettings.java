package io.github.sensecapexporter.testing;

import com.typesafe.config.ConfigFactory;
import io.github.sensecapexporter.config.Settings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Settings as a user would write them, on top of the shipped defaults. */
public final class TestSettings {
  public static final String ORG_ID = "521853156991";

  private TestSettings() {}

  /** An exporter for {@link #ORG_ID} on a free HTTP port, connected to {@code url}. */
  public static Settings forBroker(String url, String... overrides) {
    Map<String, Object> values = new HashMap<>();
    values.put("sensecap.org-id", ORG_ID);
    values.put("sensecap.access-key", "test-access-key");
    values.put("sensecap.mqtt.url", url);
    values.put("sensecap.http.host", "127.0.0.1");
    values.put("sensecap.http.port", 0);
    values.put("sensecap.mqtt.initial-reconnect-delay", "100ms");
    values.put("sensecap.mqtt.max-reconnect-delay", "1s");
    values.put("sensecap.state.path", "");
    for (int i = 0; i + 1 < overrides.length; i += 2) {
      // A list key takes its items separated by commas.
      values.put(
          overrides[i],
          overrides[i].equals("sensecap.mqtt.topics")
              ? List.of(overrides[i + 1].split(","))
              : overrides[i + 1]);
    }
    return Settings.from(
        ConfigFactory.parseMap(values).withFallback(ConfigFactory.defaultReference()).resolve(),
        false);
  }
}
