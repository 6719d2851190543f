package io.github.sensecapexporter.api;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;

/** The exporter's metrics about its use of the SenseCAP HTTP API; registered only when it is. */
public final class ApiMetrics {
  private final Counter requests;
  private final Counter errors;
  private final Counter invalid;
  private final Gauge lastSuccess;

  public ApiMetrics(CollectorRegistry registry) {
    requests =
        Counter.build()
            .name("sensecap_exporter_api_requests_total")
            .help("Requests sent to the SenseCAP HTTP API, by call, retries included.")
            .labelNames("call")
            .register(registry);
    errors =
        Counter.build()
            .name("sensecap_exporter_api_errors_total")
            .help(
                "SenseCAP HTTP API requests that failed, by call and code: the HTTP status, the"
                    + " API's error code (11104: wrong API ID or key), timeout, connection,"
                    + " too_large or invalid_response.")
            .labelNames("call", "code")
            .register(registry);
    invalid =
        Counter.build()
            .name("sensecap_exporter_api_invalid_records_total")
            .help(
                "Records and fields of SenseCAP HTTP API responses left out, by call and reason:"
                    + " not_an_object, invalid_eui, invalid_group, invalid_field, too_many (devices"
                    + " past the cap a poll keeps).")
            .labelNames("call", "reason")
            .register(registry);
    lastSuccess =
        Gauge.build()
            .name("sensecap_exporter_api_last_success_timestamp_seconds")
            .help(
                "When a poll of the SenseCAP HTTP API last completed without an error, in seconds"
                    + " since the epoch; 0 before the first.")
            .register(registry);
    for (Call call : Call.values()) {
      // Present at 0 from the start, so that rate() sees the first request.
      requests.labels(call.path());
    }
  }

  void request(Call call) {
    requests.labels(call.path()).inc();
  }

  void error(Call call, String code) {
    errors.labels(call.path(), code).inc();
  }

  void invalid(Call call, String reason) {
    invalid.labels(call.path(), reason).inc();
  }

  void pollSucceeded(long nowMillis) {
    lastSuccess.set(nowMillis / 1000.0);
  }
}
