package io.github.sensecapexporter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.DashboardQueries.Query;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DashboardQueriesTest {
  private static final Map<String, String> VALUES =
      Map.of("job", "sensecap", "device", "2CF7F1C04430065C", "channel", "1", "x", "$job");

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      textBlock =
          """
          rate(m[$__rate_interval])                   | rate(m[2m])
          rate(m[${__rate_interval}])                 | rate(m[2m])
          avg_over_time(m[$__interval])               | avg_over_time(m[1m])
          max_over_time(m[${__range}])                | max_over_time(m[1h])
          m{job=~"$job"}                              | m{job=~"sensecap"}
          m{job=~"${job}"}                            | m{job=~"sensecap"}
          m{job=~"${job:regex}", c=~"${channel:raw}"} | m{job=~"sensecap", c=~"1"}
          m{d="${device:text}"}                       | m{d="2CF7F1C04430065C"}
          m{a="$x"}                                   | m{a="$job"}
          m{a=~"x$"}                                  | m{a=~"x$"}
          label_values(m{job=~"$job"}, device_eui)    | group by (device_eui) (m{job=~"sensecap"})
          label_values(m{a="x,y"}, channel)           | group by (channel) (m{a="x,y"})
          label_values(m, job)                        | group by (job) (m)
          ' label_values( m , job ) '                 | group by (job) (m)
          query_result(max by (d) (m{job="$job"}))    | max by (d) (m{job="sensecap"})
          count(m > 1) or vector(0)                   | count(m > 1) or vector(0)
          """)
  void turnsGrafanaSyntaxIntoPromql(String grafana, String promql) {
    assertEquals(promql, DashboardQueries.toPromql(grafana, VALUES, "test"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          label_values(device_eui)       | one argument
          label_values(  job )           | one argument
          label_names()                  | label_names
          metrics(sensecap_.*)           | metrics
          m{job=~"$nobody"}              | $nobody
          m[$__range_s]                  | $__range_s
          m{a="${unknown:text}"}         | $unknown
          """)
  void failsLoudly(String grafana, String messagePart) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DashboardQueries.toPromql(grafana, VALUES, "test"));
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
  }

  @Test
  void collectsTargetsOfPanelsAndRowsAndQueryVariables(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("d.json");
    Files.writeString(
        file,
        """
        {
          "panels": [
            {"id": 1, "type": "stat", "title": "Silent",
             "targets": [{"refId": "A", "expr": "count(s{job=~\\"$job\\"}) or vector(0)"}]},
            {"id": 2, "type": "row", "title": "R", "panels": [
              {"id": 3, "type": "timeseries", "title": "Rate",
               "targets": [{"refId": "B", "expr": "rate(m[$__rate_interval])"},
                           {"refId": "C", "expr": ""}]}
            ]}
          ],
          "templating": {"list": [
            {"type": "datasource", "name": "datasource", "query": "prometheus"},
            {"type": "query", "name": "device",
             "query": {"qryType": 1, "query": "label_values(m{job=~\\"$job\\"}, device_eui)"}},
            {"type": "query", "name": "old", "query": "query_result(up)"},
            {"type": "query", "name": "def", "definition": "label_values(up, instance)",
             "query": {"qryType": 1, "refId": "X"}},
            {"type": "custom", "name": "c", "query": "a,b"}
          ]}
        }
        """,
        StandardCharsets.UTF_8);

    List<Query> queries = DashboardQueries.of(file, Map.of("job", "sensecap"));

    assertEquals(
        List.of(
            new Query("d.json panel 'Silent' target A", "count(s{job=~\"sensecap\"}) or vector(0)"),
            new Query("d.json panel 'Rate' target B", "rate(m[2m])"),
            new Query("variable device", "group by (device_eui) (m{job=~\"sensecap\"})"),
            new Query("variable old", "up"),
            new Query("variable def", "group by (instance) (up)")),
        queries);
  }

  @Test
  void readsTheShippedDashboards() {
    Map<String, String> values =
        Map.of(
            "datasource", "Prometheus",
            "job", "sensecap",
            "instance", ".+",
            "group", ".*",
            "search", "",
            "limit", "100",
            "device", "2CF7F1C04430065C",
            "channel", "1",
            "measurement", "4097");
    for (String name :
        List.of("fleet-overview.json", "device-detail.json", "exporter-health.json")) {
      List<Query> queries = DashboardQueries.of(Path.of("grafana/dashboards", name), values);
      assertTrue(queries.size() >= 3, name + ": " + queries);
      for (Query query : queries) {
        assertTrue(!query.promql().contains("$"), query.toString());
      }
    }
  }
}
