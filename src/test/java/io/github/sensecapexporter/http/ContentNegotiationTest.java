package io.github.sensecapexporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.client.exporter.common.TextFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContentNegotiationTest {
  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "gzip                          | true",
        "GZIP                          | true",
        "deflate, gzip;q=0.5           | true",
        "gzip;q=1, identity;q=1        | true",
        "gzip;Q=0.001                  | true",
        "*                             | true",
        "*;q=0.5                       | true",
        "br;q=1, *;q=0.2               | true",
        "gzip;q=0                      | false",
        "gzip; q=0.0, identity         | false",
        "gzip;q=0.000                  | false",
        "gzip;q=-1                     | false",
        "gzip;q=1.5                    | false",
        "gzip;q=1.0001                 | false",
        "gzip;q=0.5555                 | false",
        "gzip;q=.5                     | false",
        "gzip;q=abc                    | false",
        "gzip;q=                       | false",
        "gzip;q=0.5, identity;q=0.8    | false",
        "identity;q=0.5, gzip;q=0.5    | true",
        "*;q=0                         | false",
        "gzip;q=0, *                   | false",
        "*;q=-1                        | false",
        "identity                      | false",
        "x-gzip                        | false",
        "deflate, br                   | false",
        "''                            | false",
      })
  void gzipFollowsTheWeights(String acceptEncoding, boolean gzip) {
    assertEquals(gzip, ContentNegotiation.gzip(List.of(acceptEncoding)));
  }

  @Test
  void gzipReadsEveryHeaderLine() {
    assertEquals(true, ContentNegotiation.gzip(List.of("br", "gzip")));
    assertEquals(false, ContentNegotiation.gzip(null));
  }

  private static final String OPENMETRICS = "om";
  private static final String TEXT = "text";

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // What Prometheus 2.x sends.
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1 | om",
        // Prometheus 3 with its default scrape protocols.
        "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1 | om",
        "text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5 | text",
        "application/openmetrics-text                                     | om",
        "Application/OpenMetrics-Text; Version=\"1.0.0\"                     | om",
        "application/openmetrics-text; version=1.0.0, text/plain           | text",
        "application/openmetrics-text;version=0.0.1                       | text",
        "application/openmetrics-text;q=0                                 | text",
        "application/openmetrics-text;q=-1                                | text",
        "application/openmetrics-text;q=2, text/plain;q=0.1               | text",
        "application/openmetrics-text;q=0.5, text/plain;q=0.4             | om",
        "application/openmetrics-text;q=0.5, text/*;q=0.6                 | text",
        "application/*;q=0.7, text/plain;q=0.6                            | om",
        "application/*;q=0.7, text/plain;version=1.0.0                    | om",
        "*/*;q=0.3, text/plain;q=0                                        | om",
        "application/openmetrics-text;q=0.3, */*;q=0.9                    | text",
        "*/*                                                              | text",
        "text/html                                                        | text",
        "application/json                                                 | text",
        "''                                                               | text",
        "nonsense                                                         | text",
      })
  void theFormatFollowsTheWeights(String accept, String format) {
    String expected =
        format.equals(OPENMETRICS)
            ? TextFormat.CONTENT_TYPE_OPENMETRICS_100
            : TextFormat.CONTENT_TYPE_004;
    assertEquals(expected, ContentNegotiation.contentType(List.of(accept)));
  }

  @Test
  void withoutAcceptTheTextFormat() {
    assertEquals(TextFormat.CONTENT_TYPE_004, ContentNegotiation.contentType(null));
  }
}
