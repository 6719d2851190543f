package io.github.sensecapexporter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.Test;

class ExporterMetricsTest {
  @Test
  void buildInfoCarriesTheVersionAndTheRevision() {
    CollectorRegistry registry = new CollectorRegistry();
    new ExporterMetrics(registry, "0.1.0", "abc1234");
    String[] labels = {"version", "revision"};
    assertEquals(
        1.0,
        registry.getSampleValue(
            "sensecap_exporter_build_info", labels, new String[] {"0.1.0", "abc1234"}));
    assertNull(
        registry.getSampleValue(
            "sensecap_exporter_build_info", labels, new String[] {"0.1.0", "unknown"}));
  }
}
