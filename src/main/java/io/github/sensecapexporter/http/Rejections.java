package io.github.sensecapexporter.http;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;

/**
 * {@code sensecap_exporter_http_requests_rejected_total{reason}}: requests answered with an error
 * before any handler ran, so that a flood or a misconfigured client shows on the dashboards. Every
 * reason is there at 0 from the start.
 */
final class Rejections {
  enum Reason {
    METHOD_NOT_ALLOWED("method_not_allowed"),
    NOT_FOUND("not_found"),
    UNAUTHORIZED("unauthorized"),
    LOGIN_BUSY("login_busy");

    private final String label;

    Reason(String label) {
      this.label = label;
    }
  }

  private final Counter counter;

  Rejections(CollectorRegistry registry) {
    counter =
        Counter.build()
            .name("sensecap_exporter_http_requests_rejected_total")
            .help("HTTP requests refused before any handler ran, by reason.")
            .labelNames("reason")
            .register(registry);
    for (Reason reason : Reason.values()) {
      counter.labels(reason.label);
    }
  }

  void count(Reason reason) {
    counter.labels(reason.label).inc();
  }
}
