package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.SystemTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The files users run around the exporter, checked by the tools that will read them; the container
 * files: ContainerTest.
 */
class MonitoringConfigTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  private static SystemTools.Result run(String tool, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(SystemTools.require(tool).toString()));
    command.addAll(List.of(args));
    return SystemTools.run(ROOT, null, command.toArray(new String[0]));
  }

  private static void assertSucceeds(SystemTools.Result result) {
    assertEquals(0, result.exitCode(), result.output());
  }

  @Nested
  class Prometheus {
    @Test
    void configIsValidAndLoadsBothRuleFiles() throws Exception {
      SystemTools.Result result = run("promtool", "check", "config", "prometheus.yml");
      assertSucceeds(result);
      assertTrue(result.output().contains("2 rule files found"), result.output());
    }

    @Test
    void rulesAreValid() throws Exception {
      assertSucceeds(
          run("promtool", "check", "rules", "prometheus/recording.yml", "prometheus/alerts.yml"));
    }

    @Test
    void everyAlertPassesItsUnitTests() throws Exception {
      SystemTools.Result result =
          run("promtool", "test", "rules", "prometheus/tests/alerts_test.yml");
      assertSucceeds(result);
      assertTrue(result.output().contains("SUCCESS"), result.output());
    }

    @Test
    void everyAlertIsUnitTested() throws Exception {
      String alerts = Files.readString(ROOT.resolve("prometheus/alerts.yml"));
      String tests = Files.readString(ROOT.resolve("prometheus/tests/alerts_test.yml"));
      for (String line : alerts.split("\n")) {
        if (line.strip().startsWith("- alert: ")) {
          String name = line.strip().substring("- alert: ".length());
          assertTrue(name.startsWith("SenseCAP"), name + " lacks the SenseCAP prefix");
          // An alert_rule_test's alertname, then an exp_alerts list with at least one item: a
          // test that the alert fires, not only that it stays quiet.
          Pattern fires =
              Pattern.compile(
                  "alertname: "
                      + Pattern.quote(name)
                      + "\\n\\s*exp_alerts:\\s*(&\\S+\\s*)?\\n\\s*- ");
          assertTrue(fires.matcher(tests).find(), name + " has no promtool test that it fires");
        }
      }
    }
  }

  /** Where each alert's runbook_url points: its own section of the README's Runbooks. */
  static final String RUNBOOKS =
      "https://github.com/sensecap-exporter/sensecap-exporter/blob/main/README.md#";

  @Nested
  class Alerts {
    private List<String> alerts() throws Exception {
      String[] blocks =
          Files.readString(ROOT.resolve("prometheus/alerts.yml")).split("\n      - alert: ");
      return Arrays.asList(blocks).subList(1, blocks.length);
    }

    @Test
    void everyAlertHasSeveritySummaryDescriptionAndARunbookInTheReadme() throws Exception {
      String readme = Files.readString(ROOT.resolve("README.md"));
      List<String> alerts = alerts();
      assertTrue(alerts.size() >= 12, alerts.size() + " alerts");
      for (String alert : alerts) {
        String name = alert.substring(0, alert.indexOf('\n')).strip();
        for (String key : List.of("severity: ", "summary: ", "description: ")) {
          assertTrue(alert.contains("\n          " + key), name + " has no " + key);
        }
        String runbook = RUNBOOKS + name.toLowerCase(Locale.ROOT);
        assertTrue(
            alert.contains("\n          runbook_url: \"" + runbook + "\"\n"),
            name + " does not link " + runbook);
        assertTrue(readme.contains("\n#### " + name + "\n"), "README has no runbook for " + name);
      }
    }

    /** Exporters are known by their own metrics: Kubernetes names the job after the Service. */
    @ParameterizedTest
    @ValueSource(strings = {"prometheus/recording.yml", "prometheus/alerts.yml"})
    void rulesSelectNoJobByName(String file) throws Exception {
      String rules = Files.readString(ROOT.resolve(file));
      assertFalse(Pattern.compile("job\\s*(=|=~|!=)\\s*\"").matcher(rules).find(), file);
    }
  }

  @Nested
  class Alertmanager {
    @Test
    void configIsValid() throws Exception {
      assertSucceeds(run("amtool", "check-config", "alertmanager/alertmanager.yml"));
    }

    /** Alertmanager has no tool that tests inhibition: the rule is read as written. */
    @Test
    void anOfflineDeviceIsNotAlsoNotifiedAsSilent() throws Exception {
      String config = Files.readString(ROOT.resolve("alertmanager/alertmanager.yml"));
      assertTrue(
          config.contains(
              "  - source_matchers: [alertname = \"SenseCAPDeviceOffline\"]\n"
                  + "    target_matchers: [alertname = \"SenseCAPDeviceSilent\"]\n"
                  + "    equal: [job, device_eui]\n"),
          config);
    }

    @ParameterizedTest
    @CsvSource({
      "SenseCAPExporterDown, critical, on-call",
      "SenseCAPDeviceSilent, warning, team",
      "SenseCAPReadingsOutOfOrder, info, null"
    })
    void routesBySeverity(String alert, String severity, String receiver) throws Exception {
      SystemTools.Result result =
          run(
              "amtool",
              "config",
              "routes",
              "test",
              "--config.file=alertmanager/alertmanager.yml",
              "alertname=" + alert,
              "severity=" + severity);
      assertSucceeds(result);
      List<String> lines = result.output().lines().filter(l -> !l.startsWith("Warning:")).toList();
      assertEquals(List.of(receiver), lines, result.output());
    }
  }
}
