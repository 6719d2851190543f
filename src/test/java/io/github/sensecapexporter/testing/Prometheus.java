package io.github.sensecapexporter.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Debian's Prometheus, started on loopback with a given configuration, queried over its HTTP API.
 */
public final class Prometheus implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final Process process;

  private Prometheus(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** Starts Prometheus with {@code config} (a prometheus.yml), in {@code dir}. */
  public static Prometheus start(Path dir, Path config) throws Exception {
    return start(dir, config, SystemTools.freePort());
  }

  /** Starts Prometheus on {@code port}, for a configuration that must name its own address. */
  public static Prometheus start(Path dir, Path config, int port) throws Exception {
    Path binary = SystemTools.require("prometheus");
    Files.createDirectories(dir.resolve("data"));
    Process process =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    Prometheus prometheus = new Prometheus(dir, port, process);
    Await.until(
        Duration.ofSeconds(30),
        "Prometheus ready on " + port,
        () -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("prometheus exited: " + prometheus.log());
          }
          return Http.get(prometheus.url("/-/ready")).statusCode() == 200;
        });
    return prometheus;
  }

  /**
   * The repository's prometheus.yml (under {@code root}), written to {@code dir}: scraping the
   * exporters on {@code exporterPorts} as job {@code sensecap} and this Prometheus on {@code
   * prometheusPort}, every second and evaluating the repository's rule files as often, with
   * Alertmanager at an address nothing listens on.
   */
  public static Path repositoryConfig(
      Path root, Path dir, int prometheusPort, List<Integer> exporterPorts) throws IOException {
    String config = Files.readString(root.resolve("prometheus.yml"));
    String exporters =
        exporterPorts.stream()
            .map(port -> "127.0.0.1:" + port)
            .collect(Collectors.joining("\", \""));
    String rewritten =
        config
            .replace("scrape_interval: 30s", "scrape_interval: 1s")
            .replace("evaluation_interval: 30s", "evaluation_interval: 1s")
            .replace("exporter:9816", exporters)
            .replace("localhost:9090", "127.0.0.1:" + prometheusPort)
            .replace("alertmanager:9093", "127.0.0.1:" + SystemTools.freePort())
            .replace("- prometheus/", "- " + root.resolve("prometheus") + "/");
    if (!rewritten.contains("scrape_interval: 1s") || !rewritten.contains(exporters)) {
      throw new AssertionError("prometheus.yml changed shape");
    }
    Path path = dir.resolve("prometheus.yml");
    Files.writeString(path, rewritten);
    return path;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** The result vector of an instant query; fails on a query Prometheus rejects. */
  public JsonArray query(String promql) {
    String body =
        Http.get(url("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
            .body();
    JsonObject response = JsonParser.parseString(body).getAsJsonObject();
    if (!"success".equals(response.get("status").getAsString())) {
      throw new AssertionError("query " + promql + " failed: " + body);
    }
    return response.getAsJsonObject("data").getAsJsonArray("result");
  }

  /** The single value of an instant query that must return exactly one sample. */
  /**
   * Waits until the recording rules have run twice, as {@code delta()} and {@code rate()} over
   * recorded series need.
   */
  public void awaitTwoRuleEvaluations(Duration timeout) {
    Await.until(
        timeout,
        "two evaluations of the recording rules",
        () -> !query("count_over_time(sensecap:device_status_value:newest[5m]) >= 2").isEmpty());
  }

  public double scalar(String promql) {
    JsonArray result = query(promql);
    if (result.size() != 1) {
      throw new AssertionError(promql + " returned " + result);
    }
    return result.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsDouble();
  }

  public String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    SystemTools.stop(process);
  }
}
