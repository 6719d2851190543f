package io.github.sensecapexporter.http;

import io.prometheus.client.exporter.common.TextFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * RFC 9110 proactive negotiation for {@code /metrics}: which format (Accept, section 12.5.1) and
 * whether to gzip (Accept-Encoding, section 12.5.3), by q-values. A weight that is not a valid
 * qvalue (negative, over 1, more than three decimals, not a number) makes its entry refuse what it
 * names: a client that sends {@code gzip;q=-1} has not asked for gzip.
 */
final class ContentNegotiation {
  // RFC 9110 section 12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
  private static final Pattern QVALUE = Pattern.compile("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?");

  private ContentNegotiation() {}

  /**
   * Whether to gzip: gzip (or {@code *}, when gzip is not named) has a weight above 0, and no lower
   * than an explicit weight for identity (ties go to gzip, which saves the bytes).
   */
  static boolean gzip(List<String> acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    Double gzip = null;
    Double identity = null;
    Double any = null;
    for (String element : elements(acceptEncoding)) {
      String[] parts = element.split(";");
      double weight = weight(parts);
      switch (parts[0].strip().toLowerCase(Locale.ROOT)) {
        case "gzip" -> gzip = gzip == null ? weight : gzip;
        case "identity" -> identity = identity == null ? weight : identity;
        case "*" -> any = any == null ? weight : any;
        default -> {}
      }
    }
    double gzipWeight = gzip != null ? gzip : any != null ? any : 0;
    double identityWeight = identity != null ? identity : any != null ? any : 0;
    return gzipWeight > 0 && gzipWeight >= identityWeight;
  }

  /**
   * OpenMetrics 1.0.0 when Accept weighs it above the text format 0.0.4; the text format on a tie,
   * without an Accept header, or when the header accepts neither (RFC 9110 lets a server disregard
   * it rather than answer 406, and a scraper is better served by a page).
   */
  static String contentType(List<String> accept) {
    if (accept == null) {
      return TextFormat.CONTENT_TYPE_004;
    }
    List<String> ranges = elements(accept);
    double openMetrics = weight(ranges, "application", "openmetrics-text", "1.0.0");
    double text = weight(ranges, "text", "plain", "0.0.4");
    return openMetrics > text
        ? TextFormat.CONTENT_TYPE_OPENMETRICS_100
        : TextFormat.CONTENT_TYPE_004;
  }

  /**
   * The weight Accept gives {@code type/subtype; version=...}: that of the most specific range that
   * matches it (with the same version, then without a version, then {@code type/*}, then {@code
   * *}{@code /*}), or 0 when none does. A range with another version does not match.
   */
  private static double weight(List<String> ranges, String type, String subtype, String version) {
    int best = -1;
    double weight = 0;
    for (String range : ranges) {
      String[] parts = range.split(";");
      String[] name = parts[0].strip().toLowerCase(Locale.ROOT).split("/", 2);
      if (name.length != 2) {
        continue;
      }
      String rangeVersion = parameter(parts, "version");
      int specificity;
      if (name[0].equals("*") && name[1].equals("*")) {
        specificity = 0;
      } else if (name[0].equals(type) && name[1].equals("*")) {
        specificity = 1;
      } else if (name[0].equals(type) && name[1].equals(subtype)) {
        if (rangeVersion != null && !rangeVersion.equals(version)) {
          continue;
        }
        specificity = rangeVersion == null ? 2 : 3;
      } else {
        continue;
      }
      if (specificity > best) {
        best = specificity;
        weight = weight(parts);
      }
    }
    return weight;
  }

  /** The q parameter of an element split at ';': 1 when absent, 0 when not a valid qvalue. */
  private static double weight(String[] parts) {
    String q = parameter(parts, "q");
    if (q == null) {
      return 1;
    }
    return QVALUE.matcher(q).matches() ? Double.parseDouble(q) : 0;
  }

  private static String parameter(String[] parts, String name) {
    for (int i = 1; i < parts.length; i++) {
      int equals = parts[i].indexOf('=');
      if (equals > 0 && parts[i].substring(0, equals).strip().equalsIgnoreCase(name)) {
        String value = parts[i].substring(equals + 1).strip();
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
            ? value.substring(1, value.length() - 1)
            : value;
      }
    }
    return null;
  }

  /** The comma-separated elements of every line of a header, empty ones left out. */
  private static List<String> elements(List<String> lines) {
    List<String> elements = new ArrayList<>();
    for (String line : lines) {
      for (String element : line.split(",")) {
        if (!element.isBlank()) {
          elements.add(element);
        }
      }
    }
    return elements;
  }
}
