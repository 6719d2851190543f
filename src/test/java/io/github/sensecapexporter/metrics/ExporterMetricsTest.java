package io.github.sensecapexporter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.Test;

class ExporterMetricsTest {
  @Test
  void buildInfoCarriesTheVersionTheRevisionAndTheBuildDate() {
    CollectorRegistry registry = new CollectorRegistry();
    new ExporterMetrics(registry, "0.1.0", "abc1234", "2026-12-02T01:30:00Z");
    String[] labels = {"version", "revision", "build_date"};
    assertEquals(
        1.0,
        registry.getSampleValue(
            "sensecap_exporter_build_info",
            labels,
            new String[] {"0.1.0", "abc1234", "2026-12-02T01:30:00Z"}));
    assertNull(
        registry.getSampleValue(
            "sensecap_exporter_build_info", labels, new String[] {"0.1.0", "abc1234", "unknown"}));
  }
}
