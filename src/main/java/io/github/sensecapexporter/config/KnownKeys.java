package io.github.sensecapexporter.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Rejects a key under {@code sensecap} that reference.conf does not define, from any source. */
final class KnownKeys {
  private static final String ROOT = "sensecap";

  /**
   * Objects whose keys are the operator's own, user names and EUIs, checked where they are read.
   */
  private static final Set<String> OPERATOR_KEYED =
      Set.of(ROOT + ".http.basic-auth.users", ApiSettings.DEVICES);

  /**
   * The shipped keys alone. Not {@link ConfigFactory#defaultReference()}: that one has the system
   * properties laid over it, so a mistyped {@code -Dsensecap.htpp.port} would count as known.
   */
  private static final Config REFERENCE = ConfigFactory.defaultReferenceUnresolved().resolve();

  private KnownKeys() {}

  /** Checks every key of a resolved configuration. */
  static void check(Config config) {
    if (!config.hasPath(ROOT)) {
      return;
    }
    for (Map.Entry<String, ConfigValue> entry : config.getConfig(ROOT).entrySet()) {
      checkKey(ROOT + "." + entry.getKey());
    }
  }

  /**
   * Checks the keys of one source as written, before substitution: resolving drops a key whose
   * value is an unset {@code ${?VARIABLE}}, so a misspelt key would go unnoticed until the day the
   * variable is set.
   */
  static void checkUnresolved(Config source) {
    ConfigValue root = source.root().get(ROOT);
    if (root instanceof ConfigObject object) {
      walk(object, new ArrayList<>(List.of(ROOT)));
    }
  }

  private static void walk(ConfigObject object, List<String> path) {
    String joined = ConfigUtil.joinPath(path);
    if (OPERATOR_KEYED.contains(joined)) {
      return;
    }
    try {
      for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
        path.add(entry.getKey());
        if (entry.getValue() instanceof ConfigObject child) {
          walk(child, path);
        } else {
          checkKey(ConfigUtil.joinPath(path));
        }
        path.remove(path.size() - 1);
      }
    } catch (ConfigException.NotResolved e) {
      // An object merged with a substitution has no keys before resolution; check() sees them.
    }
  }

  private static void checkKey(String key) {
    if (OPERATOR_KEYED.stream().anyMatch(object -> key.startsWith(object + "."))) {
      return;
    }
    if (!REFERENCE.hasPathOrNull(key)) {
      throw new SettingsException(key, "is not a known key (see README.md for the list)");
    }
  }
}
