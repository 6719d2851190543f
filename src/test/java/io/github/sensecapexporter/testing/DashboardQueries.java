package io.github.sensecapexporter.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every PromQL expression of a Grafana dashboard (panel targets and query variables), turned into a
 * query that Prometheus can evaluate at an instant: Grafana's variables replaced by given values,
 * its built-in intervals by fixed durations, and its variable functions ({@code label_values},
 * {@code query_result}) by the PromQL they stand for.
 */
public final class DashboardQueries {
  private DashboardQueries() {}

  /** One expression and where it came from, such as {@code "x.json panel 'Up' target A"}. */
  public record Query(String origin, String promql) {}

  /** Grafana's built-in variables, as a live test wants them (a few scrapes in every range). */
  static final Map<String, String> BUILT_INS =
      Map.of("__rate_interval", "2m", "__interval", "1m", "__range", "1h");

  /** {@code ${name}}, {@code ${name:format}}, then {@code $name}. */
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?}|\\$([A-Za-z_][A-Za-z0-9_]*)");

  private static final Pattern FUNCTION =
      Pattern.compile("^\\s*([a-z_]+)\\s*\\((.*)\\)\\s*$", Pattern.DOTALL);

  /**
   * The expressions of every panel target (rows' panels included) and every query variable of the
   * dashboard in {@code dashboardJson}, with {@code variableValues} substituted.
   *
   * @throws IllegalArgumentException on a variable without a value, or a variable function this
   *     helper cannot turn into PromQL (such as one-argument {@code label_values(label)})
   */
  public static List<Query> of(Path dashboardJson, Map<String, String> variableValues) {
    JsonObject dashboard;
    try {
      dashboard =
          JsonParser.parseString(Files.readString(dashboardJson, StandardCharsets.UTF_8))
              .getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String file = dashboardJson.getFileName().toString();
    List<Query> queries = new ArrayList<>();
    addPanels(file, dashboard.getAsJsonArray("panels"), variableValues, queries);
    JsonObject templating = dashboard.getAsJsonObject("templating");
    JsonArray variables = templating == null ? null : templating.getAsJsonArray("list");
    if (variables != null) {
      for (JsonElement element : variables) {
        JsonObject variable = element.getAsJsonObject();
        if (!"query".equals(string(variable, "type"))) {
          continue;
        }
        String origin = "variable " + string(variable, "name");
        JsonElement query = variable.get("query");
        String text =
            query != null && query.isJsonObject()
                ? string(query.getAsJsonObject(), "query")
                : query == null || query.isJsonNull() ? null : query.getAsString();
        if (text == null || text.isBlank()) {
          text = string(variable, "definition");
        }
        if (text == null || text.isBlank()) {
          throw new IllegalArgumentException(file + " " + origin + " has no query");
        }
        queries.add(new Query(origin, toPromql(text, variableValues, file + " " + origin)));
      }
    }
    return queries;
  }

  private static void addPanels(
      String file, JsonArray panels, Map<String, String> values, List<Query> queries) {
    if (panels == null) {
      return;
    }
    for (JsonElement element : panels) {
      JsonObject panel = element.getAsJsonObject();
      JsonArray targets = panel.getAsJsonArray("targets");
      if (targets != null) {
        for (JsonElement t : targets) {
          JsonObject target = t.getAsJsonObject();
          String expr = string(target, "expr");
          if (expr == null || expr.isBlank()) {
            continue;
          }
          String origin =
              file + " panel '" + string(panel, "title") + "' target " + string(target, "refId");
          queries.add(new Query(origin, toPromql(expr, values, origin)));
        }
      }
      addPanels(file, panel.getAsJsonArray("panels"), values, queries);
    }
  }

  /**
   * {@code text} as instant-evaluable PromQL: {@code label_values(expr, label)} becomes {@code
   * group by (label) (expr)}, {@code query_result(expr)} becomes {@code expr}, and every variable
   * is replaced by its value from {@code values} or {@link #BUILT_INS}.
   */
  public static String toPromql(String text, Map<String, String> values, String origin) {
    return substitute(unwrapFunction(text, origin), values, origin);
  }

  static String unwrapFunction(String text, String origin) {
    Matcher function = FUNCTION.matcher(text);
    if (!function.matches()) {
      return text.trim();
    }
    String name = function.group(1);
    String arguments = function.group(2);
    switch (name) {
      case "label_values":
        {
          int comma = lastTopLevelComma(arguments);
          if (comma < 0) {
            throw new IllegalArgumentException(
                origin
                    + ": label_values with one argument asks Grafana for a label's values across"
                    + " every series; give it a selector: label_values(metric{...}, label): "
                    + text);
          }
          String expr = arguments.substring(0, comma).trim();
          String label = arguments.substring(comma + 1).trim();
          if (expr.isEmpty() || !label.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException(origin + ": malformed label_values: " + text);
          }
          return "group by (" + label + ") (" + expr + ")";
        }
      case "query_result":
        return arguments.trim();
      case "label_names":
      case "metrics":
        throw new IllegalArgumentException(
            origin + ": " + name + "() has no PromQL equivalent: " + text);
      default:
        // An ordinary PromQL function call, such as sum(...) or count(...).
        return text.trim();
    }
  }

  /** The index of the last comma outside brackets and quotes, or -1. */
  private static int lastTopLevelComma(String s) {
    int depth = 0;
    int last = -1;
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'' || c == '`') {
        quote = c;
      } else if (c == '(' || c == '{' || c == '[') {
        depth++;
      } else if (c == ')' || c == '}' || c == ']') {
        depth--;
      } else if (c == ',' && depth == 0) {
        last = i;
      }
    }
    return last;
  }

  static String substitute(String text, Map<String, String> values, String origin) {
    Matcher matcher = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
      String value = values.containsKey(name) ? values.get(name) : BUILT_INS.get(name);
      if (value == null) {
        throw new IllegalArgumentException(
            origin + ": no value for variable $" + name + " in: " + text);
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String string(JsonObject object, String member) {
    JsonElement element = object.get(member);
    return element == null || element.isJsonNull() ? null : element.getAsString();
  }
}
