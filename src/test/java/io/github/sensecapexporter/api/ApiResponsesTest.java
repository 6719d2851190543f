package io.github.sensecapexporter.api;

import static io.github.sensecapexporter.testing.FakeSenseCapApi.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonElement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ApiResponsesTest {
  private static final String EUI = "2CF7F1C04430065C";

  private static JsonElement data(String body) throws ApiResponses.ApiError {
    return ApiResponses.data(body);
  }

  private static String record(String fields) {
    return "{\"code\":\"0\",\"data\":[{\"device_eui\":\"" + EUI + "\"" + fields + "}]}";
  }

  static Stream<Arguments> envelopes() {
    return Stream.of(
        Arguments.of(fixture("error-11104.json"), "11104"),
        Arguments.of(fixture("error-11105.json"), "11105"),
        Arguments.of("{\"code\":11203,\"msg\":\"invalid EUI\"}", "11203"),
        Arguments.of(fixture("malformed-truncated.txt"), "invalid_response"),
        Arguments.of(fixture("malformed-html.txt"), "invalid_response"),
        Arguments.of("", "invalid_response"),
        Arguments.of("[]", "invalid_response"),
        Arguments.of("{\"data\":[]}", "invalid_response"),
        Arguments.of("{\"code\":null,\"data\":[]}", "invalid_response"),
        Arguments.of("{\"code\":\"0\"}", "invalid_response"),
        Arguments.of("{\"code\":\"0\",\"data\":null}", "invalid_response"),
        // The code becomes a label and a word of the log: digits only, and few.
        Arguments.of(
            "{\"code\":\"" + "9".repeat(5000) + "\\nFAKE LOG LINE\",\"msg\":\"\"}",
            "invalid_response"),
        Arguments.of("{\"code\":\"1234567\",\"msg\":\"\"}", "invalid_response"),
        Arguments.of("{\"code\":\"11104\\nFAKE\",\"msg\":\"\"}", "invalid_response"),
        Arguments.of("{\"code\":\"ERR\",\"msg\":\"\"}", "invalid_response"),
        Arguments.of("{\"code\":-1,\"msg\":\"\"}", "invalid_response"),
        Arguments.of("{\"code\":\"\",\"msg\":\"\"}", "invalid_response"),
        Arguments.of("{\"code\":\"123456\",\"msg\":\"\"}", "123456"));
  }

  @ParameterizedTest
  @MethodSource("envelopes")
  void anythingButASuccessEnvelopeIsAnErrorWithItsCode(String body, String code) {
    ApiResponses.ApiError e = assertThrows(ApiResponses.ApiError.class, () -> data(body));
    assertEquals(code, e.code());
  }

  @Test
  void dataThatIsNotAListIsAnInvalidResponse() {
    ApiResponses.ApiError e =
        assertThrows(
            ApiResponses.ApiError.class,
            () -> ApiResponses.details(data("{\"code\":\"0\",\"data\":{\"a\":1}}")));
    assertEquals("invalid_response", e.code());
  }

  @Test
  void groupsKeepTheDefaultGroupsEmptyUuid() throws Exception {
    assertEquals(
        List.of(
            new ApiResponses.Group("Default", ""), new ApiResponses.Group("HQ", "3C1E5A6B-0001")),
        ApiResponses.groups(data(fixture("list_groups.json"))).records());
    ApiResponses.Parsed<ApiResponses.Group> parsed =
        ApiResponses.groups(data("{\"code\":\"0\",\"data\":[{\"group_name\":\"x\"},7]}"));
    assertEquals(List.of(), parsed.records());
    assertEquals(List.of("invalid_group", "not_an_object"), parsed.rejected());
  }

  @Test
  void detailsAsDocumented() throws Exception {
    ApiResponses.Parsed<ApiResponses.Details> parsed =
        ApiResponses.details(data(fixture("view_devices.json")));
    assertEquals(
        List.of(
            new ApiResponses.Details(
                EUI,
                "Meeting room 3",
                "LoRaWAN",
                "1.0",
                "2.3",
                OptionalDouble.of(22.5),
                OptionalDouble.of(113.9))),
        parsed.records());
    assertEquals(List.of(), parsed.rejected());
  }

  @Test
  void theV1PositionAndNumbersAsStringsAreRead() throws Exception {
    ApiResponses.Parsed<ApiResponses.Details> parsed =
        ApiResponses.details(data(fixture("view_devices-v1-position.json")));
    assertEquals(
        List.of(
            new ApiResponses.Details(
                EUI,
                "Meeting room 3",
                "NB-IoT",
                "1.0",
                "2.3",
                OptionalDouble.of(22.5),
                OptionalDouble.of(113.9))),
        parsed.records());
    assertEquals(List.of(), parsed.rejected());
  }

  @Test
  void whatIsValidIsTakenAndTheRestCounted() throws Exception {
    ApiResponses.Parsed<ApiResponses.Details> parsed =
        ApiResponses.details(data(fixture("view_devices-invalid-records.json")));
    assertEquals(
        List.of(EUI, "2CF7F1C0443007B2", "2CF7F1C0523000B1"),
        parsed.records().stream().map(ApiResponses.Details::eui).toList());
    ApiResponses.Details damaged = parsed.records().get(1);
    assertEquals("", damaged.name());
    assertEquals("", damaged.network());
    assertEquals(OptionalDouble.empty(), damaged.latitude());
    assertEquals(
        List.of(
            "not_an_object",
            "invalid_eui",
            "invalid_eui",
            "invalid_field",
            "invalid_field",
            "invalid_field",
            "invalid_field",
            "invalid_field"),
        parsed.rejected());
  }

  static Stream<Arguments> positions() {
    return Stream.of(
        Arguments.of("{\"latitude\":22.5,\"longitude\":113.9}", 22.5, 113.9, 0),
        Arguments.of("{\"lat\":\"-33.86\",\"lon\":\"151.2\"}", -33.86, 151.2, 0),
        Arguments.of("{\"latitude\":\"22.5\",\"longitude\":113}", 22.5, 113.0, 0),
        Arguments.of("{}", null, null, 0),
        Arguments.of("null", null, null, 0),
        Arguments.of("{\"lat\":\"\",\"lon\":\"\"}", null, null, 0),
        // The platform's "not set": a point in the Gulf of Guinea no device is at.
        Arguments.of("{\"latitude\":0,\"longitude\":0}", null, null, 0),
        Arguments.of("{\"lat\":\"0.0\",\"lon\":\"0\"}", null, null, 0),
        Arguments.of("{\"latitude\":0,\"longitude\":8.5}", 0.0, 8.5, 0),
        Arguments.of("{\"latitude\":22.5}", null, null, 1),
        Arguments.of("{\"latitude\":-91,\"longitude\":0}", null, null, 1),
        Arguments.of("{\"latitude\":0,\"longitude\":180.1}", null, null, 1),
        Arguments.of("{\"latitude\":\"NaN\",\"longitude\":0}", null, null, 1),
        Arguments.of("{\"latitude\":[1],\"longitude\":0}", null, null, 1),
        Arguments.of("\"22.5,113.9\"", null, null, 1));
  }

  @ParameterizedTest
  @MethodSource("positions")
  void positions(String position, Double latitude, Double longitude, int rejected)
      throws Exception {
    ApiResponses.Parsed<ApiResponses.Details> parsed =
        ApiResponses.details(data(record(",\"position\":" + position)));
    ApiResponses.Details details = parsed.records().get(0);
    assertEquals(
        latitude == null ? OptionalDouble.empty() : OptionalDouble.of(latitude),
        details.latitude());
    assertEquals(
        longitude == null ? OptionalDouble.empty() : OptionalDouble.of(longitude),
        details.longitude());
    assertEquals(rejected, parsed.rejected().size());
  }

  static Stream<Arguments> networks() {
    return Stream.of(
        Arguments.of("1", "LoRaWAN", 0),
        Arguments.of("2", "NB-IoT", 0),
        Arguments.of("\"3\"", "2G", 0),
        Arguments.of("4", "LoRaPP", 0),
        Arguments.of("\"lorawan\"", "LoRaWAN", 0),
        Arguments.of("null", "", 0),
        Arguments.of("5", "", 1),
        Arguments.of("0", "", 1),
        Arguments.of("true", "", 1));
  }

  @ParameterizedTest
  @MethodSource("networks")
  void networksByName(String network, String name, int rejected) throws Exception {
    ApiResponses.Parsed<ApiResponses.Details> parsed =
        ApiResponses.details(data(record(",\"device_network\":" + network)));
    assertEquals(name, parsed.records().get(0).network());
    assertEquals(rejected, parsed.rejected().size());
  }

  static Stream<Arguments> statuses() {
    long time = Instant.parse("2026-07-10T02:35:13.511Z").toEpochMilli();
    return Stream.of(
        Arguments.of(
            "\"online_status\":1,\"report_frequency\":5,\"latest_message_time\":\"2026-07-10T02:35:13.511Z\"",
            Optional.of(true),
            OptionalLong.of(300),
            OptionalLong.of(time),
            0),
        Arguments.of(
            "\"online_status\":\"0\",\"report_frequency\":\"60\",\"latest_message_time\":\"2026-07-10T10:35:13.511+08:00\"",
            Optional.of(false),
            OptionalLong.of(3600),
            OptionalLong.of(time),
            0),
        Arguments.of(
            "\"online_status\":true,\"report_frequency\":0.5,\"latest_message_time\":" + time,
            Optional.of(true),
            OptionalLong.of(30),
            OptionalLong.of(time),
            0),
        // Ten digits are seconds: milliseconds that small would be 1973.
        Arguments.of(
            "\"latest_message_time\":" + time / 1000,
            Optional.empty(),
            OptionalLong.empty(),
            OptionalLong.of(time / 1000 * 1000),
            0),
        Arguments.of(
            "\"latest_message_time\":\"" + time / 1000 + "\"",
            Optional.empty(),
            OptionalLong.empty(),
            OptionalLong.of(time / 1000 * 1000),
            0),
        Arguments.of("", Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), 0),
        Arguments.of(
            "\"online_status\":null,\"report_frequency\":\"\",\"latest_message_time\":\"\"",
            Optional.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            0),
        Arguments.of(
            "\"online_status\":2,\"report_frequency\":-5,\"latest_message_time\":\"yesterday\"",
            Optional.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            3),
        Arguments.of(
            "\"online_status\":\"yes\",\"report_frequency\":\"often\",\"latest_message_time\":{}",
            Optional.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            3));
  }

  @ParameterizedTest
  @MethodSource("statuses")
  void runningStatus(
      String fields,
      Optional<Boolean> online,
      OptionalLong reportSeconds,
      OptionalLong lastUplink,
      int rejected)
      throws Exception {
    ApiResponses.Parsed<ApiResponses.Status> parsed =
        ApiResponses.statuses(data(record(fields.isEmpty() ? "" : "," + fields)));
    assertEquals(
        List.of(new ApiResponses.Status(EUI, online, reportSeconds, lastUplink)), parsed.records());
    assertEquals(rejected, parsed.rejected().size());
  }

  @Test
  void runningStatusFixtures() throws Exception {
    assertEquals(
        List.of(
            new ApiResponses.Status(
                EUI,
                Optional.of(true),
                OptionalLong.of(300),
                OptionalLong.of(Instant.parse("2026-07-10T02:35:13.511Z").toEpochMilli()))),
        ApiResponses.statuses(data(fixture("view_device_running_status.json"))).records());
    ApiResponses.Parsed<ApiResponses.Status> strings =
        ApiResponses.statuses(data(fixture("view_device_running_status-strings.json")));
    assertEquals(
        List.of(
            new ApiResponses.Status(
                EUI,
                Optional.of(false),
                OptionalLong.of(3600),
                OptionalLong.of(Instant.parse("2026-07-10T02:35:13Z").toEpochMilli())),
            new ApiResponses.Status(
                "2CF7F1C0443006A1", Optional.empty(), OptionalLong.empty(), OptionalLong.empty())),
        strings.records());
    assertEquals(List.of("invalid_field", "invalid_field"), strings.rejected());
  }

  static Stream<Arguments> euis() {
    return Stream.of(
        Arguments.of("\"2cf7f1c04430065c\"", EUI),
        Arguments.of("\" 2CF7F1C04430065C \"", EUI),
        Arguments.of("\"2CF7F1C04430065\"", null),
        Arguments.of("\"2CF7F1C04430065CA\"", null),
        Arguments.of("\"2CF7F1C04430065G\"", null),
        Arguments.of("\"2CF7/1C04430065C\"", null),
        Arguments.of("12345678", null),
        Arguments.of("null", null));
  }

  @ParameterizedTest
  @MethodSource("euis")
  void euisAreSixteenHexDigitsInUpperCase(String eui, String expected) throws Exception {
    ApiResponses.Parsed<ApiResponses.Listed> parsed =
        ApiResponses.listed(
            data("{\"code\":\"0\",\"data\":[{\"device_eui\":" + eui + ",\"device_name\":\"n\"}]}"));
    assertEquals(
        expected == null ? List.of() : List.of(new ApiResponses.Listed(expected, "n")),
        parsed.records());
    assertEquals(expected == null ? List.of("invalid_eui") : List.of(), parsed.rejected());
  }
}
