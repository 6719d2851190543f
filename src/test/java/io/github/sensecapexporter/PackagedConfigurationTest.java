package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/debian/application.conf, the configuration the Debian package installs, says that it shows
 * every key with its default: every key of reference.conf must appear in it, commented out or not,
 * so that a new key cannot be left out of it.
 */
class PackagedConfigurationTest {
  private static final Path PACKAGED = Path.of("deploy/debian/application.conf");

  /** A setting or the start of a block, commented out or not: {@code # key = value}, {@code key {}. */
  private static final Pattern SETTING =
      Pattern.compile("^\\s*#?\\s*(\"[^\"]+\"|[a-z][a-z0-9.-]*)\\s*(=|\\{)(.*)$");

  private static final Pattern CLOSING = Pattern.compile("^\\s*#?\\s*}\\s*$");

  /** reference.conf's keys; an empty object (devices {}, users {}) counts as a key of its own. */
  private static Set<String> referenceKeys() {
    Set<String> keys = new LinkedHashSet<>();
    collect(ConfigFactory.parseResources("reference.conf").resolve().root(), "", keys);
    return keys;
  }

  private static void collect(ConfigObject object, String prefix, Set<String> keys) {
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      String path = prefix + entry.getKey();
      if (entry.getValue() instanceof ConfigObject child && !child.isEmpty()) {
        collect(child, path + ".", keys);
      } else {
        keys.add(path);
      }
    }
  }

  /** Every path the file names, a block's as well as a setting's, commented out or not. */
  static Set<String> packagedPaths(List<String> lines) {
    Set<String> paths = new LinkedHashSet<>();
    Deque<String> blocks = new ArrayDeque<>();
    for (String line : lines) {
      Matcher setting = SETTING.matcher(line);
      if (CLOSING.matcher(line).matches()) {
        blocks.pop();
      } else if (setting.matches()) {
        List<String> path = new ArrayList<>(blocks);
        Collections.reverse(path);
        path.add(setting.group(1).replace("\"", ""));
        String joined = String.join(".", path);
        paths.add(joined);
        // A block opened and closed on one line, such as a device's fields, is a setting.
        if (setting.group(2).equals("{") && !setting.group(3).contains("}")) {
          blocks.push(setting.group(1).replace("\"", ""));
        }
      }
    }
    assertTrue(blocks.isEmpty(), "unclosed blocks in " + PACKAGED + ": " + blocks);
    return paths;
  }

  @Test
  void showsEveryKeyOfReferenceConf() throws Exception {
    Set<String> packaged = packagedPaths(Files.readAllLines(PACKAGED));
    List<String> missing = referenceKeys().stream().filter(key -> !packaged.contains(key)).toList();
    assertEquals(List.of(), missing, "keys of reference.conf missing from " + PACKAGED);
  }

  /** The reader finds a key only where the file's nesting puts it. */
  @Test
  void readsNestedAndCommentedOutKeys() {
    Set<String> paths =
        packagedPaths(
            List.of(
                "sensecap {",
                "  # org-id = \"1\"",
                "  # Your organisation: set it here, then",
                "  http {",
                "    # tls.cert-file = \"x\"",
                "    # basic-auth.users {",
                "    #   prometheus = \"$2y$10$...\"",
                "    # }",
                "  }",
                "  # devices {",
                "  #   \"2CF7\" { name = \"a\" }",
                "  # }",
                "}"));
    assertEquals(
        List.of(
            "sensecap",
            "sensecap.org-id",
            "sensecap.http",
            "sensecap.http.tls.cert-file",
            "sensecap.http.basic-auth.users",
            "sensecap.http.basic-auth.users.prometheus",
            "sensecap.devices",
            "sensecap.devices.2CF7"),
        List.copyOf(paths));
  }
}
