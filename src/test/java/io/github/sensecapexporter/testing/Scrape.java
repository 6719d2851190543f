package io.github.sensecapexporter.testing;

import io.github.sensecapexporter.Exporter;

/** Scrapes a running exporter's /metrics over HTTP, as Prometheus would. */
public final class Scrape {
  private Scrape() {}

  public static String page(Exporter exporter) {
    return Http.get("http://127.0.0.1:" + exporter.httpPort() + "/metrics").body();
  }

  /** The value of an unlabelled sample, or NaN when the page lacks it. */
  public static double value(Exporter exporter, String name) {
    Double value = MetricsText.value(page(exporter), name);
    return value == null ? Double.NaN : value;
  }
}
