package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Grafana dashboards under {@code grafana/dashboards} and the provisioning under {@code
 * grafana/provisioning}: JSON Grafana 11 imports, reaching Prometheus only through the dashboard's
 * own {@code datasource} variable, and PromQL that keeps exporters and rate windows apart.
 */
class DashboardJsonTest {
  static final Path GRAFANA = Path.of("grafana");
  static final Path DASHBOARDS = GRAFANA.resolve("dashboards");
  static final List<String> FILES =
      List.of("fleet-overview.json", "device-detail.json", "exporter-health.json");

  static final String PROVISIONED_UID = "sensecap-prometheus";
  static final String PROVISIONED_NAME = "Prometheus";
  static final String DATASOURCE_VARIABLE = "${datasource}";

  static Stream<String> files() {
    return FILES.stream();
  }

  static JsonObject load(String file) throws IOException {
    return parseStrict(Files.readString(DASHBOARDS.resolve(file), StandardCharsets.UTF_8))
        .getAsJsonObject();
  }

  /** Parses strict RFC 8259 JSON: no comments, no trailing commas, nothing after the value. */
  static JsonElement parseStrict(String text) throws IOException {
    if (text.isBlank()) {
      // Gson reads an empty document as JsonNull.
      throw new JsonParseException("empty document");
    }
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.STRICT);
      JsonElement element = JsonParser.parseReader(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new JsonParseException("content after the JSON value");
      }
      return element;
    }
  }

  // ------------------------------------------------------------------------------------- checks

  /** Every problem {@code dashboard} has, one line each; empty when it is fine. */
  static List<String> problems(JsonObject dashboard) {
    List<String> problems = new ArrayList<>();
    problems.addAll(schemaProblems(dashboard));
    problems.addAll(panelIdProblems(dashboard));
    problems.addAll(datasourceReferenceProblems(dashboard));
    problems.addAll(datasourceVariableProblems(dashboard));
    problems.addAll(rateIntervalProblems(dashboard));
    problems.addAll(provisionedDatasourceProblems(dashboard));
    problems.addAll(jobFilterProblems(dashboard));
    problems.addAll(replicaProblems(dashboard));
    problems.addAll(nameProblems(dashboard));
    problems.addAll(linkProblems(dashboard));
    return problems;
  }

  static List<String> schemaProblems(JsonObject dashboard) {
    List<String> problems = new ArrayList<>();
    JsonElement version = dashboard.get("schemaVersion");
    if (!isNumber(version)) {
      problems.add("schemaVersion missing");
    } else if (version.getAsInt() < 36) {
      problems.add("schemaVersion " + version + " < 36");
    }
    String uid = string(dashboard, "uid");
    if (uid == null || uid.isBlank()) {
      problems.add("uid missing");
    }
    return problems;
  }

  static List<String> panelIdProblems(JsonObject dashboard) {
    List<String> problems = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (JsonObject panel : panels(dashboard)) {
      JsonElement id = panel.get("id");
      if (!isNumber(id)) {
        problems.add("panel '" + string(panel, "title") + "' has no numeric id");
      } else if (!seen.add(id.getAsInt())) {
        problems.add("panel id " + id + " used twice ('" + string(panel, "title") + "')");
      }
    }
    return problems;
  }

  static List<String> datasourceReferenceProblems(JsonObject dashboard) {
    List<String> problems = new ArrayList<>();
    for (JsonObject panel : panels(dashboard)) {
      String title = string(panel, "title");
      if (!isDatasourceVariable(panel.get("datasource"))) {
        problems.add("panel '" + title + "' datasource is " + panel.get("datasource"));
      }
      for (JsonObject target : objects(panel.get("targets"))) {
        if (!isDatasourceVariable(target.get("datasource"))) {
          problems.add(
              "panel '"
                  + title
                  + "' target "
                  + string(target, "refId")
                  + " datasource is "
                  + target.get("datasource"));
        }
      }
    }
    for (JsonObject variable : variables(dashboard)) {
      if ("query".equals(string(variable, "type"))
          && !isDatasourceVariable(variable.get("datasource"))) {
        problems.add(
            "variable "
                + string(variable, "name")
                + " datasource is "
                + variable.get("datasource"));
      }
    }
    return problems;
  }

  static List<String> datasourceVariableProblems(JsonObject dashboard) {
    for (JsonObject variable : variables(dashboard)) {
      if ("datasource".equals(string(variable, "name"))
          && "datasource".equals(string(variable, "type"))
          && "prometheus".equals(string(variable, "query"))) {
        return List.of();
      }
    }
    return List.of("no templating variable 'datasource' of type datasource for prometheus");
  }

  private static final Pattern RANGE = Pattern.compile("\\[([^\\]]*)]");
  private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

  /**
   * Every string holding {@code rate(} or {@code increase(} (expressions, variable queries) must
   * use {@code $__rate_interval}, and every range in it must be exactly that.
   */
  static List<String> rateIntervalProblems(JsonObject dashboard) {
    List<String> problems = new ArrayList<>();
    forEachString(
        dashboard,
        s -> {
          if (!s.contains("rate(") && !s.contains("increase(")) {
            return;
          }
          if (!s.contains("$__rate_interval") && !s.contains("${__rate_interval}")) {
            problems.add("rate/increase without $__rate_interval: " + s);
            return;
          }
          Matcher range = RANGE.matcher(QUOTED.matcher(s).replaceAll("\"\""));
          while (range.find()) {
            String window = range.group(1).trim();
            if (!window.equals("$__rate_interval") && !window.equals("${__rate_interval}")) {
              problems.add("range [" + window + "] instead of [$__rate_interval]: " + s);
            }
          }
        });
    return problems;
  }

  /** The provisioned datasource is never named: not its uid anywhere, not its name as a source. */
  static List<String> provisionedDatasourceProblems(JsonObject dashboard) {
    List<String> problems = new ArrayList<>();
    forEachString(
        dashboard,
        s -> {
          if (s.equals(PROVISIONED_UID)) {
            problems.add("hard-coded datasource uid " + PROVISIONED_UID);
          }
        });
    forEachMember(
        dashboard,
        (name, value) -> {
          boolean datasourceLike =
              name.equals("datasource") || name.equals("uid") || name.equals("current");
          if (!datasourceLike) {
            return;
          }
          List<String> strings = new ArrayList<>();
          forEachString(value, strings::add);
          if (strings.contains(PROVISIONED_NAME)) {
            problems.add("datasource named '" + PROVISIONED_NAME + "' in " + name + ": " + value);
          }
          if (name.equals("datasource") && value.isJsonPrimitive()) {
            problems.add("datasource given by name: " + value);
          }
        });
    return problems;
  }

  private static final Pattern SELECTOR =
      Pattern.compile(
          "(?<![\\w:])(sensecap[_:][\\w:]*|jvm_\\w+|process_\\w+|scrape_\\w+|up)(?![\\w:])"
              + "(\\s*\\{([^}]*)})?");

  /** Every selector of the exporter's series (and its scrape's) filters {@code job=~"$job"}. */
  static List<String> jobFilterProblems(JsonObject dashboard) {
    List<String> problems = new ArrayList<>();
    Map<String, String> expressions = new LinkedHashMap<>();
    for (JsonObject panel : panels(dashboard)) {
      for (JsonObject target : objects(panel.get("targets"))) {
        String expr = string(target, "expr");
        if (expr != null) {
          expressions.put(
              "panel '" + string(panel, "title") + "' target " + string(target, "refId"), expr);
        }
      }
    }
    for (JsonObject variable : variables(dashboard)) {
      if ("query".equals(string(variable, "type")) && !"job".equals(string(variable, "name"))) {
        expressions.put("variable " + string(variable, "name"), variableQuery(variable));
      }
    }
    expressions.forEach(
        (origin, expr) -> {
          Matcher selector = SELECTOR.matcher(expr == null ? "" : expr);
          while (selector.find()) {
            String matchers = selector.group(3);
            if (matchers == null || !matchers.contains("job=~\"$job\"")) {
              problems.add(origin + ": " + selector.group(1) + " without job=~\"$job\": " + expr);
            }
          }
        });
    return problems;
  }

  /** A device's series, one per exporter that reads the feed: replicas hold them all. */
  private static final Pattern PER_REPLICA_DEVICE_SERIES =
      Pattern.compile(
          "(?<![\\w:])(sensecap_measurement_value|sensecap_device_status_value"
              + "|sensecap_device_last_measurement_timestamp_seconds"
              + "|sensecap_device_status_timestamp_seconds"
              + "|sensecap_device_info|sensecap_device_online|sensecap_device_latitude_degrees"
              + "|sensecap_device_longitude_degrees|sensecap_device_report_interval_seconds"
              + "|sensecap_device_last_uplink_timestamp_seconds"
              + "|sensecap_gateway_info|sensecap_gateway_online)(?![\\w:])");

  /**
   * Panels show devices through the recording rules, which keep each device once with its newest
   * value, never through the exporters' own device series, which repeat it for every replica.
   * Variables may read them: label_values lists each value once anyway.
   */
  static List<String> replicaProblems(JsonObject dashboard) {
    List<String> problems = new ArrayList<>();
    for (JsonObject panel : panels(dashboard)) {
      for (JsonObject target : objects(panel.get("targets"))) {
        String expr = string(target, "expr");
        Matcher series = PER_REPLICA_DEVICE_SERIES.matcher(expr == null ? "" : expr);
        while (series.find()) {
          problems.add(
              "panel '"
                  + string(panel, "title")
                  + "' shows "
                  + series.group(1)
                  + " once per replica; use the recording rules: "
                  + expr);
        }
      }
    }
    return problems;
  }

  /** Panels that list devices or gateways: each row or line is one of them. */
  private static final Set<String> LISTING_PANELS =
      Set.of("table", "timeseries", "bargauge", "state-timeline", "geomap", "barchart");

  /**
   * A panel that lists several devices (its query does not pin {@code device_eui="$device"}) joins
   * their names from {@code sensecap:device_info}, gateways theirs from {@code
   * sensecap:gateway_info}, and a legend that names one names it by {@code {{device_name}}}.
   */
  static List<String> nameProblems(JsonObject dashboard) {
    List<String> problems = new ArrayList<>();
    for (JsonObject panel : panels(dashboard)) {
      if (!LISTING_PANELS.contains(string(panel, "type"))) {
        continue;
      }
      for (JsonObject target : objects(panel.get("targets"))) {
        String expr = string(target, "expr");
        if (expr == null || expr.contains("device_eui=\"$device\"")) {
          continue;
        }
        String origin = "panel '" + string(panel, "title") + "' target " + string(target, "refId");
        boolean devices =
            expr.contains("sensecap:device_") || expr.contains("sensecap:measurement_value");
        if (devices && !expr.contains("sensecap:device_info{")) {
          problems.add(origin + " lists devices without their names: " + expr);
        }
        if (expr.contains("sensecap:gateway_") && !expr.contains("sensecap:gateway_info{")) {
          problems.add(origin + " lists gateways without their names: " + expr);
        }
        String legend = string(target, "legendFormat");
        if (devices
            && !"table".equals(string(target, "format"))
            && (legend == null || !legend.contains("{{device_name}}"))) {
          problems.add(origin + " has a legend without {{device_name}}: " + legend);
        }
      }
    }
    return problems;
  }

  static List<String> linkProblems(JsonObject dashboard) {
    if (!strings(dashboard.get("tags")).contains("sensecap")) {
      return List.of("not tagged sensecap");
    }
    List<String> problems = new ArrayList<>();
    collectUrlsWithoutDatasource(dashboard, problems);
    for (JsonObject link : objects(dashboard.get("links"))) {
      if ("dashboards".equals(string(link, "type"))
          && strings(link.get("tags")).contains("sensecap")) {
        return problems;
      }
    }
    problems.add("no link to the dashboards tagged sensecap");
    return problems;
  }

  private static final String DATASOURCE_PARAM = "${datasource:queryparam}";

  /**
   * A link to another dashboard ({@code /d/...}) that does not pass the chosen datasource on opens
   * that dashboard on its default datasource, which shows another Prometheus' data or none.
   */
  private static void collectUrlsWithoutDatasource(JsonElement element, List<String> problems) {
    if (element.isJsonArray()) {
      element.getAsJsonArray().forEach(e -> collectUrlsWithoutDatasource(e, problems));
    } else if (element.isJsonObject()) {
      JsonObject object = element.getAsJsonObject();
      String url = string(object, "url");
      if (url != null && url.startsWith("/d/") && !url.contains(DATASOURCE_PARAM)) {
        problems.add("link without " + DATASOURCE_PARAM + ": " + url);
      }
      object.entrySet().forEach(e -> collectUrlsWithoutDatasource(e.getValue(), problems));
    }
  }

  static List<String> duplicateUids(Map<String, JsonObject> dashboards) {
    List<String> problems = new ArrayList<>();
    Map<String, String> fileByUid = new HashMap<>();
    dashboards.forEach(
        (file, dashboard) -> {
          String uid = string(dashboard, "uid");
          String other = fileByUid.putIfAbsent(uid, file);
          if (other != null) {
            problems.add("uid " + uid + " in both " + other + " and " + file);
          }
        });
    return problems;
  }

  // ------------------------------------------------------------------------------------- tests

  @Nested
  class EachDashboard {
    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void isStrictJsonObject(String file) throws IOException {
      JsonElement root =
          parseStrict(Files.readString(DASHBOARDS.resolve(file), StandardCharsets.UTF_8));
      assertTrue(root.isJsonObject(), file);
    }

    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void hasSchemaVersionAndUid(String file) throws IOException {
      assertEquals(List.of(), schemaProblems(load(file)));
    }

    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void isImportableAsNew(String file) throws IOException {
      JsonObject dashboard = load(file);
      assertTrue(dashboard.has("id") && dashboard.get("id").isJsonNull(), "\"id\": null");
      assertTrue(dashboard.has("title"), "title");
    }

    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void hasUniquePanelIds(String file) throws IOException {
      assertEquals(List.of(), panelIdProblems(load(file)));
    }

    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void reachesPrometheusOnlyThroughTheDatasourceVariable(String file) throws IOException {
      assertEquals(List.of(), datasourceReferenceProblems(load(file)));
    }

    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void hasTheDatasourceVariable(String file) throws IOException {
      assertEquals(List.of(), datasourceVariableProblems(load(file)));
    }

    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void ratesUseTheRateInterval(String file) throws IOException {
      assertEquals(List.of(), rateIntervalProblems(load(file)));
    }

    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void neverNamesTheProvisionedDatasource(String file) throws IOException {
      assertEquals(List.of(), provisionedDatasourceProblems(load(file)));
    }

    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void filtersEverySelectorByJob(String file) throws IOException {
      assertEquals(List.of(), jobFilterProblems(load(file)));
    }

    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void showsEachDeviceOnceWhateverTheReplicas(String file) throws IOException {
      assertEquals(List.of(), replicaProblems(load(file)));
    }

    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void namesTheDevicesAndGatewaysItLists(String file) throws IOException {
      assertEquals(List.of(), nameProblems(load(file)));
    }

    @ParameterizedTest
    @MethodSource("io.github.sensecapexporter.DashboardJsonTest#files")
    void linksTheOtherDashboards(String file) throws IOException {
      assertEquals(List.of(), linkProblems(load(file)));
    }
  }

  @Nested
  class AcrossDashboards {
    @Test
    void uidsAreUnique() throws IOException {
      Map<String, JsonObject> dashboards = new LinkedHashMap<>();
      for (String file : FILES) {
        dashboards.put(file, load(file));
      }
      assertEquals(List.of(), duplicateUids(dashboards));
    }

    @Test
    void everyDashboardFileIsListed() throws IOException {
      try (Stream<Path> listing = Files.list(DASHBOARDS)) {
        assertEquals(
            Set.copyOf(FILES),
            listing
                .map(p -> p.getFileName().toString())
                .filter(n -> n.endsWith(".json"))
                .collect(java.util.stream.Collectors.toSet()));
      }
    }
  }

  @Nested
  class Provisioning {
    @Test
    void datasourceHasTheFixedUid() throws IOException {
      String yaml =
          Files.readString(
              GRAFANA.resolve("provisioning/datasources/prometheus.yml"), StandardCharsets.UTF_8);
      assertTrue(
          Pattern.compile("(?m)^\\s*uid:\\s*sensecap-prometheus\\s*$").matcher(yaml).find(),
          "uid: sensecap-prometheus");
      assertTrue(
          Pattern.compile("(?m)^\\s*(- )?name:\\s*Prometheus\\s*$").matcher(yaml).find(), "name");
      assertTrue(
          Pattern.compile("(?m)^\\s*url:\\s*http://prometheus:9090\\s*$").matcher(yaml).find(),
          "url");
      assertTrue(Pattern.compile("(?m)^\\s*isDefault:\\s*true\\s*$").matcher(yaml).find());
    }

    @Test
    void dashboardProviderReadsTheMountedDirectory() throws IOException {
      String yaml =
          Files.readString(
              GRAFANA.resolve("provisioning/dashboards/sensecap.yml"), StandardCharsets.UTF_8);
      assertTrue(
          Pattern.compile("(?m)^\\s*path:\\s*/var/lib/grafana/dashboards\\s*$")
              .matcher(yaml)
              .find(),
          "path");
      assertTrue(Pattern.compile("(?m)^\\s*folder:\\s*SenseCAP\\s*$").matcher(yaml).find());
      assertTrue(Pattern.compile("(?m)^\\s*type:\\s*file\\s*$").matcher(yaml).find());
    }
  }

  /** What the fleet overview and the device detail are for. */
  @Nested
  class FleetByName {
    private JsonObject panel(JsonObject dashboard, String title) {
      return panels(dashboard).stream()
          .filter(p -> title.equals(string(p, "title")))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no panel '" + title + "'"));
    }

    private JsonObject variable(JsonObject dashboard, String name) {
      return variables(dashboard).stream()
          .filter(v -> name.equals(string(v, "name")))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no variable " + name));
    }

    private List<String> exprs(JsonObject panel) {
      return objects(panel.get("targets")).stream().map(t -> string(t, "expr")).toList();
    }

    @Test
    void theFleetIsFilteredByGroupNameAndHowManyToShow() throws IOException {
      JsonObject fleet = load("fleet-overview.json");
      assertTrue(
          variableQuery(variable(fleet, "group")).contains("sensecap:device_info{job=~\"$job\"}"));
      assertEquals("textbox", string(variable(fleet, "search"), "type"));
      assertEquals("custom", string(variable(fleet, "limit"), "type"));
      assertTrue(string(variable(fleet, "limit"), "query").endsWith(",10000"));
      JsonObject devices = panel(fleet, "Devices");
      assertEquals("table", string(devices, "type"));
      for (String expr : exprs(devices)) {
        assertTrue(expr.contains("group_name=~\"$group\""), expr);
        assertTrue(expr.contains("device_name=~\"(?i).*${search:regex}.*\""), expr);
        assertTrue(expr.contains("device_eui=~\"(?i).*${search:regex}.*\""), expr);
        assertTrue(expr.contains("topk($limit, "), expr);
      }
      // Silent by the same per-device threshold as SenseCAPDeviceSilent.
      String alerts = Files.readString(Path.of("prometheus/alerts.yml"));
      assertTrue(
          alerts.contains(
              "sensecap:device_seconds_since_last_measurement > sensecap:device_silence_threshold_seconds"));
      assertTrue(
          exprs(devices).stream()
              .anyMatch(
                  e ->
                      e.contains(
                          "sensecap:device_seconds_since_last_measurement{job=~\"$job\"} > bool on"
                              + " (job, device_eui) sensecap:device_silence_threshold_seconds")),
          "no column of devices past their silence threshold");
      assertEquals("geomap", string(panel(fleet, "Where the devices are"), "type"));
      assertTrue(exprs(panel(fleet, "Gateways")).get(0).contains("sensecap:gateway_online:newest"));
    }

    @Test
    void theDeviceIsChosenByNameWithinItsGroup() throws IOException {
      JsonObject detail = load("device-detail.json");
      assertEquals("now-24h", string(detail.getAsJsonObject("time"), "from"));
      assertTrue(variableQuery(variable(detail, "group")).contains("job=~\"$job\""));
      JsonObject device = variable(detail, "device");
      assertTrue(variableQuery(device).contains("group_name=~\"$group\""), "group -> device");
      String regex = string(device, "regex");
      assertTrue(
          regex.contains("device_eui=\"(?<value>") && regex.contains("device_name=\"(?<text>"),
          regex);
      // Grafana matches it against query_result's lines, where a quote in a name is escaped.
      Matcher line =
          Pattern.compile(regex.substring(1, regex.length() - 1))
              .matcher(
                  "sensecap:device_info{device_eui=\"2CF7F1C04430065C\", device_name=\"Room \\\"A\\\"\","
                      + " group_name=\"HQ\"} 1 1700000000000");
      assertTrue(line.find(), regex);
      assertEquals("2CF7F1C04430065C", line.group("value"));
      assertEquals("Room \\\"A\\\"", line.group("text"));
      List<String> names = variables(detail).stream().map(v -> string(v, "name")).toList();
      assertTrue(names.indexOf("group") < names.indexOf("device"), names.toString());
    }

    /** Red past the device's own threshold, as SenseCAPDeviceSilent, not past fixed hours. */
    @Test
    void theTimeSinceTheLastMeasurementIsJudgedByTheDevicesThreshold() throws IOException {
      JsonObject since = panel(load("device-detail.json"), "Time since last measurement");
      assertTrue(
          exprs(since).stream()
              .anyMatch(
                  e ->
                      e.contains(
                          "sensecap:device_seconds_since_last_measurement{job=~\"$job\","
                              + " device_eui=\"$device\"} / on (job, device_eui)"
                              + " sensecap:device_silence_threshold_seconds")),
          exprs(since).toString());
      JsonObject fieldConfig = since.getAsJsonObject("fieldConfig");
      assertFalse(fieldConfig.getAsJsonObject("defaults").has("thresholds"), "fixed thresholds");
      String ratio = fieldConfig.get("overrides").toString();
      assertTrue(ratio.contains("{\"color\":\"red\",\"value\":1}"), ratio);
    }

    @Test
    void theWaterLeakIsDryOrLeak() throws IOException {
      JsonObject leak = panel(load("device-detail.json"), "Water leak");
      assertEquals("state-timeline", string(leak, "type"));
      assertTrue(exprs(leak).get(0).contains("measurement_id=\"4116\""));
      JsonObject mapping =
          objects(leak.getAsJsonObject("fieldConfig").getAsJsonObject("defaults").get("mappings"))
              .get(0)
              .getAsJsonObject("options");
      assertEquals("Dry", string(mapping.getAsJsonObject("0"), "text"));
      assertEquals("Leak", string(mapping.getAsJsonObject("1"), "text"));
    }

    /** Every status ID of the catalogue the exporter ships is shown by its name there. */
    @Test
    void everyStatusOfTheCatalogueIsShownByName() throws IOException {
      Map<String, String> displayNames = new HashMap<>();
      JsonObject status = panel(load("device-detail.json"), "Device status");
      for (JsonObject override : objects(status.getAsJsonObject("fieldConfig").get("overrides"))) {
        String field = string(override.getAsJsonObject("matcher"), "options");
        for (JsonObject property : objects(override.get("properties"))) {
          if ("displayName".equals(string(property, "id"))) {
            displayNames.put(field, string(property, "value"));
          }
        }
      }
      Map<String, String> expected = new HashMap<>();
      for (String line :
          Files.readAllLines(
              Path.of("src/main/resources/io/github/sensecapexporter/measurements.tsv"))) {
        String[] columns = line.split("\t");
        if (!line.startsWith("#") && columns[0].startsWith("3")) {
          expected.put("status " + columns[0], columns[1]);
        }
      }
      assertTrue(expected.size() > 30, expected.toString());
      assertEquals(expected, displayNames);
      assertEquals(
          "status {{status_id}}", string(objects(status.get("targets")).get(0), "legendFormat"));
    }
  }

  /** The checks above find each mistake they are for, in an otherwise good dashboard. */
  @Nested
  class ChecksCatchMistakes {
    private static final String REF = "{\"type\": \"prometheus\", \"uid\": \"${datasource}\"}";

    private JsonObject good() {
      return JsonParser.parseString(
              """
              {
                "id": null, "uid": "u", "title": "t", "schemaVersion": 39, "tags": ["sensecap"],
                "links": [{"type": "dashboards", "tags": ["sensecap"]}],
                "templating": {"list": [
                  {"type": "datasource", "name": "datasource", "query": "prometheus", "current": {}},
                  {"type": "query", "name": "job", "datasource": REF,
                   "query": {"qryType": 1, "query": "label_values(sensecap_exporter_build_info, job)"}},
                  {"type": "query", "name": "device", "datasource": REF,
                   "definition": "label_values(sensecap_measurement_value{job=~\\"$job\\"}, device_eui)"}
                ]},
                "panels": [
                  {"id": 1, "type": "row", "title": "r", "datasource": REF, "panels": [
                    {"id": 2, "type": "timeseries", "title": "in row", "datasource": REF,
                     "targets": [{"refId": "A", "datasource": REF,
                                  "expr": "up{job=~\\"$job\\", instance=~\\"[a-z]+\\"}"}]}
                  ]},
                  {"id": 3, "type": "timeseries", "title": "rate", "datasource": REF,
                   "targets": [{"refId": "A", "datasource": REF,
                     "expr": "sum(rate(sensecap_exporter_messages_received_total{job=~\\"$job\\"}[$__rate_interval]))"}]}
                ]
              }
              """
                  .replace("REF", REF))
          .getAsJsonObject();
    }

    private JsonObject panel(JsonObject dashboard, int index) {
      return dashboard.getAsJsonArray("panels").get(index).getAsJsonObject();
    }

    private JsonObject target(JsonObject dashboard, int panel) {
      return panel(dashboard, panel).getAsJsonArray("targets").get(0).getAsJsonObject();
    }

    private JsonObject rowChild(JsonObject dashboard) {
      return panel(dashboard, 0).getAsJsonArray("panels").get(0).getAsJsonObject();
    }

    private JsonObject variable(JsonObject dashboard, int index) {
      return variables(dashboard).get(index);
    }

    @Test
    void goodDashboardHasNoProblems() {
      assertEquals(List.of(), problems(good()));
    }

    private void assertProblem(String expected, Consumer<JsonObject> mistake) {
      JsonObject dashboard = good();
      mistake.accept(dashboard);
      List<String> problems = problems(dashboard);
      assertTrue(
          problems.stream().anyMatch(p -> p.contains(expected)),
          "expected a problem with '" + expected + "', got " + problems);
    }

    @Test
    void schemaVersionMissingOrOld() {
      assertProblem("schemaVersion missing", d -> d.remove("schemaVersion"));
      assertProblem("< 36", d -> d.addProperty("schemaVersion", 27));
      assertProblem("uid missing", d -> d.remove("uid"));
    }

    @Test
    void panelIdsRepeatedInsideRows() {
      assertProblem("used twice", d -> rowChild(d).addProperty("id", 3));
      assertProblem("no numeric id", d -> panel(d, 1).remove("id"));
    }

    @Test
    void datasourceOtherThanTheVariable() {
      assertProblem(
          "panel 'rate' datasource",
          d -> panel(d, 1).add("datasource", JsonParser.parseString("{\"uid\":\"abc\"}")));
      assertProblem("panel 'in row' datasource", d -> rowChild(d).remove("datasource"));
      assertProblem(
          "target A datasource",
          d -> target(d, 1).add("datasource", JsonParser.parseString("{\"type\":\"prometheus\"}")));
      assertProblem("variable device datasource", d -> variable(d, 2).remove("datasource"));
      assertProblem(
          "panel 'r' datasource",
          d ->
              panel(d, 0)
                  .add(
                      "datasource",
                      JsonParser.parseString(REF.replace("}\"", "}\", \"extra\": 1"))));
    }

    @Test
    void noDatasourceVariable() {
      assertProblem("no templating variable", d -> variables(d).get(0).addProperty("type", "x"));
    }

    @Test
    void rateWithoutRateInterval() {
      assertProblem(
          "without $__rate_interval",
          d -> target(d, 1).addProperty("expr", "rate(m{job=~\"$job\"}[5m])"));
      assertProblem(
          "range [5m]",
          d ->
              target(d, 1)
                  .addProperty(
                      "expr",
                      "increase(m{job=~\"$job\"}[$__rate_interval]) + rate(n{job=~\"$job\"}[5m])"));
      assertProblem(
          "without $__rate_interval",
          d ->
              variable(d, 2)
                  .addProperty("definition", "query_result(rate(m{job=~\"$job\"}[$__interval]))"));
    }

    @Test
    void provisionedDatasourceNamed() {
      assertProblem(
          "hard-coded datasource uid",
          d ->
              target(d, 1)
                  .add(
                      "datasource",
                      JsonParser.parseString(
                          "{\"type\":\"prometheus\",\"uid\":\"sensecap-prometheus\"}")));
      assertProblem(
          "datasource named 'Prometheus'",
          d ->
              variable(d, 0)
                  .add(
                      "current",
                      JsonParser.parseString("{\"text\":\"Prometheus\",\"value\":\"x\"}")));
      assertProblem(
          "datasource given by name", d -> panel(d, 1).addProperty("datasource", "Prometheus"));
    }

    @Test
    void selectorWithoutJobFilter() {
      assertProblem(
          "sensecap_measurement_info without",
          d ->
              target(d, 1)
                  .addProperty(
                      "expr",
                      "sensecap_measurement_value{job=~\"$job\"} * on (job, instance,"
                          + " measurement_id) group_left (name, unit) sensecap_measurement_info"));
      assertProblem(
          "sensecap:series_limit_usage:ratio without",
          d ->
              target(d, 1)
                  .addProperty("expr", "sensecap:series_limit_usage:ratio{instance=\"a\"}"));
      assertProblem(
          "variable device",
          d ->
              variable(d, 2)
                  .addProperty(
                      "definition", "label_values(sensecap_measurement_value, device_eui)"));
    }

    @Test
    void deviceSeriesOfEachReplica() {
      assertProblem(
          "shows sensecap_device_status_value once per replica",
          d ->
              target(d, 1)
                  .addProperty(
                      "expr", "sensecap_device_status_value{job=~\"$job\", status_id=\"3000\"}"));
      assertProblem(
          "shows sensecap_measurement_value once per replica",
          d ->
              rowChild(d)
                  .getAsJsonArray("targets")
                  .get(0)
                  .getAsJsonObject()
                  .addProperty("expr", "max(sensecap_measurement_value{job=~\"$job\"})"));
    }

    @Test
    void devicesWithoutNames() {
      assertProblem(
          "lists devices without their names",
          d ->
              target(d, 1)
                  .addProperty(
                      "expr", "sensecap:device_seconds_since_last_measurement{job=~\"$job\"}"));
      assertProblem(
          "legend without {{device_name}}",
          d -> {
            target(d, 1)
                .addProperty(
                    "expr",
                    "sensecap:device_online:newest{job=~\"$job\"} * on (job, device_eui)"
                        + " group_left (device_name) sensecap:device_info{job=~\"$job\"}");
            target(d, 1).addProperty("legendFormat", "{{device_eui}}");
          });
      assertProblem(
          "lists gateways without their names",
          d -> target(d, 1).addProperty("expr", "sensecap:gateway_online:newest{job=~\"$job\"}"));
      assertProblem(
          "shows sensecap_device_info once per replica",
          d -> target(d, 1).addProperty("expr", "sensecap_device_info{job=~\"$job\"}"));
    }

    @Test
    void missingLinks() {
      assertProblem("no link", d -> d.add("links", new JsonArray()));
      assertProblem("not tagged", d -> d.add("tags", new JsonArray()));
    }

    @Test
    void linkThatDropsTheDatasource() {
      assertProblem(
          "link without ${datasource:queryparam}",
          d -> {
            JsonObject link = new JsonObject();
            link.addProperty("type", "link");
            link.addProperty("url", "/d/sensecap-device/sensecap-device-detail?${job:queryparam}");
            d.getAsJsonArray("links").add(link);
          });
    }

    @Test
    void duplicateUidsAcrossFiles() {
      Map<String, JsonObject> dashboards = new LinkedHashMap<>();
      dashboards.put("a.json", good());
      dashboards.put("b.json", good());
      assertEquals(List.of("uid u in both a.json and b.json"), duplicateUids(dashboards));
      dashboards.get("b.json").addProperty("uid", "v");
      assertEquals(List.of(), duplicateUids(dashboards));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "{\"a\": 1,}",
          "{a: 1}",
          "{\"a\": 1} // comment",
          "{\"a\": 1} {\"b\": 2}",
          "{\"a\": 'x'}",
          "{\"a\": NaN}",
          "{\"a\": 1",
          ""
        })
    void invalidJsonIsRejected(String text) {
      assertThrows(Exception.class, () -> parseStrict(text));
    }

    @Test
    void validJsonIsAccepted() throws IOException {
      assertFalse(parseStrict("{\"a\": [1, \"b\", null]}").getAsJsonObject().isEmpty());
    }
  }

  // ------------------------------------------------------------------------------------- JSON

  /** Every panel, rows' collapsed panels included, depth first. */
  static List<JsonObject> panels(JsonObject dashboard) {
    List<JsonObject> out = new ArrayList<>();
    collectPanels(dashboard.get("panels"), out);
    return out;
  }

  private static void collectPanels(JsonElement panels, List<JsonObject> out) {
    for (JsonObject panel : objects(panels)) {
      out.add(panel);
      collectPanels(panel.get("panels"), out);
    }
  }

  static List<JsonObject> variables(JsonObject dashboard) {
    JsonElement templating = dashboard.get("templating");
    return templating != null && templating.isJsonObject()
        ? objects(templating.getAsJsonObject().get("list"))
        : List.of();
  }

  static String variableQuery(JsonObject variable) {
    JsonElement query = variable.get("query");
    if (query != null && query.isJsonObject() && string(query.getAsJsonObject(), "query") != null) {
      return string(query.getAsJsonObject(), "query");
    }
    if (query != null && query.isJsonPrimitive() && !query.getAsString().isBlank()) {
      return query.getAsString();
    }
    return string(variable, "definition");
  }

  static boolean isDatasourceVariable(JsonElement datasource) {
    if (datasource == null || !datasource.isJsonObject()) {
      return false;
    }
    JsonObject object = datasource.getAsJsonObject();
    return object.size() == 2
        && "prometheus".equals(string(object, "type"))
        && DATASOURCE_VARIABLE.equals(string(object, "uid"));
  }

  static List<JsonObject> objects(JsonElement array) {
    List<JsonObject> out = new ArrayList<>();
    if (array != null && array.isJsonArray()) {
      for (JsonElement element : array.getAsJsonArray()) {
        if (element.isJsonObject()) {
          out.add(element.getAsJsonObject());
        }
      }
    }
    return out;
  }

  static List<String> strings(JsonElement array) {
    List<String> out = new ArrayList<>();
    if (array != null && array.isJsonArray()) {
      for (JsonElement element : array.getAsJsonArray()) {
        if (element.isJsonPrimitive()) {
          out.add(element.getAsString());
        }
      }
    }
    return out;
  }

  static String string(JsonObject object, String member) {
    JsonElement element = object.get(member);
    return element != null && element.isJsonPrimitive() ? element.getAsString() : null;
  }

  static boolean isNumber(JsonElement element) {
    return element != null && element.isJsonPrimitive() && element.getAsJsonPrimitive().isNumber();
  }

  static void forEachString(JsonElement element, Consumer<String> action) {
    if (element == null) {
      return;
    }
    if (element.isJsonPrimitive()) {
      JsonPrimitive primitive = element.getAsJsonPrimitive();
      if (primitive.isString()) {
        action.accept(primitive.getAsString());
      }
    } else if (element.isJsonArray()) {
      element.getAsJsonArray().forEach(e -> forEachString(e, action));
    } else if (element.isJsonObject()) {
      element.getAsJsonObject().entrySet().forEach(e -> forEachString(e.getValue(), action));
    }
  }

  static void forEachMember(
      JsonElement element, java.util.function.BiConsumer<String, JsonElement> action) {
    if (element == null) {
      return;
    }
    if (element.isJsonArray()) {
      element.getAsJsonArray().forEach(e -> forEachMember(e, action));
    } else if (element.isJsonObject()) {
      for (Map.Entry<String, JsonElement> e : element.getAsJsonObject().entrySet()) {
        action.accept(e.getKey(), e.getValue());
        forEachMember(e.getValue(), action);
      }
    }
  }
}
