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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/kubernetes: rendered by kubectl's kustomize as README.md applies it, each object checked
 * against the Kubernetes and prometheus-operator schemas, and the copies of the rules and
 * dashboards up to date with their sources.
 */
class KubernetesManifestsTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");
  private static final Path VALIDATOR = KUBERNETES.resolve("validate/validate.mjs");
  private static final String REGENERATE = "deploy/kubernetes/generate";

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"prometheusrule.yaml", "grafana-dashboards.yaml"})
  void generatedFilesAreUpToDate(String name) throws Exception {
    SystemTools.Result result =
        SystemTools.run(ROOT, null, KUBERNETES.resolve("generate").toString(), dir.toString());
    assertEquals(0, result.exitCode(), result.output());
    List<String> generated = Files.readAllLines(dir.resolve(name));
    List<String> committed = Files.readAllLines(KUBERNETES.resolve("base").resolve(name));
    int line = 0;
    while (line < generated.size()
        && line < committed.size()
        && generated.get(line).equals(committed.get(line))) {
      line++;
    }
    assertTrue(
        generated.equals(committed),
        "deploy/kubernetes/base/"
            + name
            + " differs from its sources from line "
            + (line + 1)
            + ": run "
            + REGENERATE);
  }

  @Test
  void theDashboardsAreAllInTheConfigMap() throws Exception {
    String configMap = Files.readString(KUBERNETES.resolve("base/grafana-dashboards.yaml"));
    try (var dashboards = Files.list(ROOT.resolve("grafana/dashboards"))) {
      List<String> names =
          dashboards.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).toList();
      assertFalse(names.isEmpty());
      for (String name : names) {
        assertTrue(configMap.contains("\n  " + name + ": |\n"), name + " is missing");
      }
    }
    // kubectl apply keeps the whole object, as JSON, in an annotation of at most 256 KiB.
    long escaped = configMap.chars().filter(c -> c == '"' || c == '\\' || c == '\n').count();
    assertTrue(
        configMap.length() + escaped < 200 * 1024,
        "the dashboards outgrow kubectl apply's annotation: split the ConfigMap");
  }

  /** The deployment runs as the image's own user, which owns the state directory. */
  @Test
  void thePodRunsAsTheImageUser() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    String deployment = Files.readString(KUBERNETES.resolve("base/deployment.yaml"));
    Matcher uid = Pattern.compile("--uid (\\d+)").matcher(dockerfile);
    Matcher gid = Pattern.compile("--gid (\\d+)").matcher(dockerfile);
    assertTrue(uid.find() && gid.find(), "no --uid or --gid in Dockerfile");
    assertTrue(deployment.contains("runAsUser: " + uid.group(1) + "\n"), deployment);
    assertTrue(deployment.contains("runAsGroup: " + gid.group(1) + "\n"), deployment);
    assertTrue(deployment.contains("fsGroup: " + gid.group(1) + "\n"), deployment);
  }

  /**
   * The memory limit is the launcher's heap for the max-series the pod passes, plus the 96 MiB the
   * JVM needs beside it (README.md, "Sizing").
   */
  @Test
  void theMemoryLimitFitsTheHeapTheLauncherSizes() throws Exception {
    String deployment = Files.readString(KUBERNETES.resolve("base/deployment.yaml"));
    Matcher maxSeries =
        Pattern.compile("- sensecap\\.series\\.max-series=(\\d+)\n").matcher(deployment);
    Matcher limit =
        Pattern.compile("limits:\n\\s+cpu: \"1\"\n\\s+memory: (\\d+)Mi\n").matcher(deployment);
    assertTrue(maxSeries.find(), "no --set sensecap.series.max-series in deployment.yaml");
    assertTrue(limit.find(), "no memory limit in deployment.yaml");
    long heapMib = 32 + (Long.parseLong(maxSeries.group(1)) * 1024 + 1048575) / 1048576;
    assertEquals(heapMib + 96, Long.parseLong(limit.group(1)));
  }

  /** What kubectl renders, and what the schemas and promtool make of it. */
  @Nested
  class Rendered {
    private Path render(String kustomization) throws Exception {
      return render(ROOT, "deploy/kubernetes/" + kustomization);
    }

    private Path render(Path workDir, String kustomization) throws Exception {
      Path output = Files.createTempFile(dir, "rendered-", ".yaml");
      SystemTools.Result result =
          SystemTools.run(
              workDir,
              null,
              SystemTools.require("kubectl").toString(),
              "kustomize",
              kustomization,
              "--output",
              output.toString());
      // Nothing on stderr either: kustomize warns there of fields it will stop reading.
      assertEquals(new SystemTools.Result(0, ""), result);
      return output;
    }

    private SystemTools.Result validate(Path manifests) throws Exception {
      return validate(
          List.of(
              SystemTools.require("node").toString(), VALIDATOR.toString(), manifests.toString()));
    }

    private SystemTools.Result validate(List<String> command) throws Exception {
      SystemTools.requireFile(
          VALIDATOR.resolveSibling("node_modules/kubernetes-models"),
          "npm ci --prefix deploy/kubernetes/validate");
      return SystemTools.run(ROOT, null, command.toArray(new String[0]));
    }

    private static List<String> documents(String rendered) {
      return Arrays.asList(rendered.split("\n---\n"));
    }

    private static String document(String rendered, String kind) {
      return documents(rendered).stream()
          .filter(d -> d.contains("\nkind: " + kind + "\n"))
          .reduce(
              (a, b) -> {
                throw new AssertionError("two " + kind + " documents");
              })
          .orElseThrow(() -> new AssertionError("no " + kind + " in\n" + rendered));
    }

    @ParameterizedTest
    @CsvSource({
      "base, 'ConfigMap, Service, Deployment, PrometheusRule, PrometheusRule, ServiceMonitor'",
      "overlays/ha, 'ConfigMap, Service, Deployment, PodDisruptionBudget, PrometheusRule,"
          + " PrometheusRule, ServiceMonitor'",
      "overlays/demo, 'ConfigMap, Service, Deployment, PrometheusRule, PrometheusRule,"
          + " ServiceMonitor'"
    })
    void everyObjectMatchesItsSchema(String kustomization, String kinds) throws Exception {
      SystemTools.Result result = validate(render(kustomization));
      int count = kinds.split(", ").length;
      assertEquals(new SystemTools.Result(0, count + " documents valid: " + kinds + "\n"), result);
    }

    @ParameterizedTest
    @CsvSource({"base", "overlays/ha", "overlays/demo"})
    void everyPodIsLockedDown(String kustomization) throws Exception {
      String deployment = document(Files.readString(render(kustomization)), "Deployment");
      for (String setting :
          List.of(
              "runAsNonRoot: true",
              "readOnlyRootFilesystem: true",
              "allowPrivilegeEscalation: false",
              "drop:\n            - ALL",
              "type: RuntimeDefault",
              "automountServiceAccountToken: false",
              "path: /-/healthy",
              "path: /-/ready",
              "mountPath: /tmp",
              "mountPath: /var/lib/sensecap-exporter")) {
        assertTrue(deployment.contains(setting), setting + " is missing in\n" + deployment);
      }
    }

    @Test
    void theHaOverlayRunsTwoExportersOnDifferentNodes() throws Exception {
      String rendered = Files.readString(render("overlays/ha"));
      String deployment = document(rendered, "Deployment");
      assertTrue(deployment.contains("\n  replicas: 2\n"), deployment);
      assertTrue(deployment.contains("topologyKey: kubernetes.io/hostname"), deployment);
      // Each its own random client ID and the whole feed: neither pinned nor shared.
      assertFalse(deployment.contains("client-id"), deployment);
      assertFalse(deployment.contains("$share"), deployment);
      assertTrue(document(rendered, "PodDisruptionBudget").contains("minAvailable: 1"));
    }

    @Test
    void theDemoNeedsNoSecret() throws Exception {
      String deployment = document(Files.readString(render("overlays/demo")), "Deployment");
      assertTrue(deployment.contains("- --demo\n"), deployment);
      assertFalse(deployment.contains("secret"), deployment);
    }

    /**
     * A validator that passes everything would prove nothing: each of these must be refused, each
     * in a file of its own, checked in one run.
     */
    @Test
    void theValidatorRefusesBrokenManifests() throws Exception {
      List<List<String>> cases =
          List.of(
              List.of("replicas: 2", "replicas: \"two\"", "spec/replicas must be integer"),
              List.of(
                  "imagePullPolicy:", "imagePullPolice:", "'\"imagePullPolice\"' does not exist"),
              List.of("- interval: 30s", "- intervall: 30s", "'\"intervall\"' does not exist"),
              List.of("interval: 30s", "interval: half a minute", "interval must match pattern"),
              List.of("      for: 5m", "      fore: 5m", "'\"fore\"' does not exist"),
              List.of("kind: PodDisruptionBudget", "kind: PodDisruptionBudge", "no schema here"));
      String rendered = Files.readString(render("overlays/ha"));
      List<String> command =
          new ArrayList<>(List.of(SystemTools.require("node").toString(), VALIDATOR.toString()));
      for (int i = 0; i < cases.size(); i++) {
        String good = cases.get(i).get(0);
        assertTrue(rendered.contains(good), good);
        Path broken = dir.resolve("broken-" + i + ".yaml");
        Files.writeString(broken, rendered.replace(good, cases.get(i).get(1)));
        command.add(broken.toString());
      }
      SystemTools.Result result = validate(command);
      assertEquals(1, result.exitCode(), result.output());
      for (int i = 0; i < cases.size(); i++) {
        String complaint = cases.get(i).get(2);
        String file = dir.resolve("broken-" + i + ".yaml") + ": ";
        assertTrue(
            result.output().lines().anyMatch(l -> l.startsWith(file) && l.contains(complaint)),
            complaint + " about " + file + " is missing in\n" + result.output());
      }
    }

    /**
     * README.md's kustomization, beside a clone named sensecap-exporter, alone and with the lines
     * that leave out prometheus-operator's kinds.
     */
    @ParameterizedTest
    @CsvSource({
      "1, 'ConfigMap, Service, Deployment, PodDisruptionBudget, PrometheusRule, PrometheusRule,"
          + " ServiceMonitor'",
      "2, 'ConfigMap, Service, Deployment, PodDisruptionBudget'"
    })
    void theReadmeKustomizationRenders(int blocks, String kinds) throws Exception {
      String readme = Files.readString(ROOT.resolve("README.md"));
      String section =
          readme.substring(
              readme.indexOf("\n## Install: Kubernetes\n"),
              readme.indexOf("\n## TLS to the broker\n"));
      Matcher yaml = Pattern.compile("\n```yaml\n(.*?)```\n", Pattern.DOTALL).matcher(section);
      StringBuilder kustomization = new StringBuilder();
      for (int i = 0; i < blocks; i++) {
        assertTrue(yaml.find(), "fewer than " + blocks + " yaml blocks in Install: Kubernetes");
        kustomization.append(yaml.group(1));
      }
      Path site = Files.createDirectories(dir.resolve("site"));
      Files.createSymbolicLink(site.resolve("sensecap-exporter"), ROOT);
      Files.writeString(site.resolve("kustomization.yaml"), kustomization);
      Path manifests = render(site, ".");
      int count = kinds.split(", ").length;
      assertEquals(
          new SystemTools.Result(0, count + " documents valid: " + kinds + "\n"),
          validate(manifests));
      String rendered = Files.readString(manifests);
      assertTrue(rendered.contains("image: registry.example/sensecap-exporter:0.1.0\n"), rendered);
      assertEquals(count, rendered.split("\n  namespace: sensecap\n", -1).length - 1, rendered);
      assertEquals(count, rendered.split("\n    release: kube-prometheus-stack\n", -1).length - 1);
    }

    /** The rules as the operator hands them to Prometheus: each PrometheusRule's spec. */
    @Test
    void theRenderedRulesLoadInPromtool() throws Exception {
      List<String> command =
          new ArrayList<>(List.of(SystemTools.require("promtool").toString(), "check", "rules"));
      for (String document : documents(Files.readString(render("base")))) {
        if (document.contains("\nkind: PrometheusRule\n")) {
          String spec = document.substring(document.indexOf("\nspec:\n") + "\nspec:\n".length());
          Path rules = dir.resolve("rules-" + command.size() + ".yml");
          Files.writeString(rules, spec.replaceAll("(?m)^  ", ""));
          command.add(rules.toString());
        }
      }
      assertEquals(5, command.size(), "expected two PrometheusRule objects");
      SystemTools.Result result = SystemTools.run(ROOT, null, command.toArray(new String[0]));
      assertEquals(0, result.exitCode(), result.output());
      assertEquals(2, result.output().split("SUCCESS: ", -1).length - 1, result.output());
    }
  }
}
