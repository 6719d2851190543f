package io.github.sensecapexporter.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.sensecapexporter.fleet.Fleet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Reads the SenseCAP HTTP API's response bodies, liberally: extra fields are ignored, numbers may
 * come as strings, the old {@code {"lat": "...", "lon": "..."}} position is read too. A record
 * without a valid EUI is left out, a field that is not valid is left out of its record, and each is
 * reported with its reason. Pure functions of the text: no I/O, no state.
 */
final class ApiResponses {
  /** Why a record or a field was left out: the reason label of the invalid records counter. */
  static final String NOT_AN_OBJECT = "not_an_object";

  static final String INVALID_EUI = "invalid_eui";
  static final String INVALID_GROUP = "invalid_group";
  static final String INVALID_FIELD = "invalid_field";

  /** A device past the cap of devices a poll keeps. */
  static final String TOO_MANY = "too_many";

  /** The code of a body that is not the API's envelope, or has no data where it should. */
  static final String INVALID_RESPONSE = "invalid_response";

  /** The API's codes are numbers ("0", "11104"): anything else is not its envelope. */
  private static final Pattern CODE = Pattern.compile("[0-9]{1,6}");

  private ApiResponses() {}

  /** What a call gave: the records that were valid, and a reason for each thing left out. */
  record Parsed<T>(List<T> records, List<String> rejected) {}

  record Group(String name, String uuid) {}

  /** An entry of {@code list_devices}: a node or a gateway. */
  record Listed(String eui, String name) {}

  /** An entry of {@code view_devices}; an empty text is unknown. */
  record Details(
      String eui,
      String name,
      String network,
      String hardwareVersion,
      String softwareVersion,
      OptionalDouble latitude,
      OptionalDouble longitude) {}

  /** An entry of {@code view_device_running_status}. */
  record Status(
      String eui,
      Optional<Boolean> online,
      OptionalLong reportIntervalSeconds,
      OptionalLong lastUplinkMillis) {}

  /** An answer that is not data: an error code of the API's, or a body that is not its envelope. */
  static final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    ApiError(String code, String message) {
      super(message);
      this.code = code;
    }

    /** The API's code ("11104"), or {@link #INVALID_RESPONSE}. */
    String code() {
      return code;
    }
  }

  /**
   * The {@code data} of a success envelope {@code {"code":"0","data":...}}.
   *
   * @throws ApiError with the API's code for an error envelope, or {@link #INVALID_RESPONSE}
   */
  static JsonElement data(String body) throws ApiError {
    JsonElement root;
    try {
      root = JsonParser.parseString(body);
    } catch (JsonParseException e) {
      throw new ApiError(INVALID_RESPONSE, "the body is not JSON");
    }
    if (!(root instanceof JsonObject envelope) || !envelope.has("code")) {
      throw new ApiError(INVALID_RESPONSE, "the body is not an object with a code");
    }
    String code = ApiFields.text(envelope.get("code"));
    if (code == null || !CODE.matcher(code).matches()) {
      // It becomes a label and a word of the log: only what the API's codes look like.
      throw new ApiError(INVALID_RESPONSE, "the code is not a number of at most 6 digits");
    }
    if (!code.equals("0")) {
      String message = ApiFields.text(envelope.get("msg"));
      throw new ApiError(code, message == null ? "" : message);
    }
    JsonElement data = envelope.get("data");
    if (data == null || data.isJsonNull()) {
      throw new ApiError(INVALID_RESPONSE, "a success without data");
    }
    return data;
  }

  static Parsed<Group> groups(JsonElement data) throws ApiError {
    List<Group> groups = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    for (JsonElement element : array(data)) {
      if (!(element instanceof JsonObject object)) {
        rejected.add(NOT_AN_OBJECT);
        continue;
      }
      String uuid = ApiFields.text(object.get("group_uuid"));
      String name = ApiFields.text(object.get("group_name"));
      if (uuid == null) {
        rejected.add(INVALID_GROUP);
        continue;
      }
      groups.add(new Group(name == null ? "" : name, uuid));
    }
    return new Parsed<>(groups, rejected);
  }

  static Parsed<Listed> listed(JsonElement data) throws ApiError {
    return devices(
        data,
        (eui, object, rejected) ->
            new Listed(eui, ApiFields.name(object.get("device_name"), rejected)));
  }

  static Parsed<Details> details(JsonElement data) throws ApiError {
    return devices(
        data,
        (eui, object, rejected) -> {
          double[] position = ApiFields.position(object.get("position"), rejected);
          return new Details(
              eui,
              ApiFields.name(object.get("device_name"), rejected),
              ApiFields.network(object.get("device_network"), rejected),
              ApiFields.name(object.get("hardware_version"), rejected),
              ApiFields.name(object.get("software_version"), rejected),
              position == null ? OptionalDouble.empty() : OptionalDouble.of(position[0]),
              position == null ? OptionalDouble.empty() : OptionalDouble.of(position[1]));
        });
  }

  static Parsed<Status> statuses(JsonElement data) throws ApiError {
    return devices(
        data,
        (eui, object, rejected) ->
            new Status(
                eui,
                ApiFields.online(object.get("online_status"), rejected),
                ApiFields.reportInterval(object.get("report_frequency"), rejected),
                ApiFields.time(object.get("latest_message_time"), rejected)));
  }

  /** Reads one device record whose EUI is valid; invalid fields are added to {@code rejected}. */
  private interface DeviceRecord<T> {
    T read(String eui, JsonObject object, List<String> rejected);
  }

  /** Every record of a list of devices: those without a valid EUI are left out and counted. */
  private static <T> Parsed<T> devices(JsonElement data, DeviceRecord<T> record) throws ApiError {
    List<T> devices = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    for (JsonElement element : array(data)) {
      String eui = eui(element, rejected);
      if (eui != null) {
        devices.add(record.read(eui, (JsonObject) element, rejected));
      }
    }
    return new Parsed<>(devices, rejected);
  }

  private static JsonArray array(JsonElement data) throws ApiError {
    if (!(data instanceof JsonArray array)) {
      throw new ApiError(INVALID_RESPONSE, "the data is not a list");
    }
    return array;
  }

  /** The record's EUI in the topics' spelling, or null with the reason recorded. */
  private static String eui(JsonElement element, List<String> rejected) {
    if (!(element instanceof JsonObject object)) {
      rejected.add(NOT_AN_OBJECT);
      return null;
    }
    String eui = ApiFields.text(object.get("device_eui"));
    if (!Fleet.isEui(eui)) {
      rejected.add(INVALID_EUI);
      return null;
    }
    return Fleet.normalEui(eui);
  }

  /** A code's meaning, as the API's documentation gives it, for the log. */
  static String meaning(String code) {
    return switch (code.toLowerCase(Locale.ROOT)) {
      case "11104" -> "wrong API ID or access key";
      case "11105" -> "the API ID is disabled";
      case "11201" -> "no permission";
      case "11202" -> "invalid parameters";
      case "11203" -> "invalid EUI";
      case "11206" -> "too many devices";
      case "11303" -> "device not on this account";
      case INVALID_RESPONSE -> "not the API's response format";
      case ApiClient.TOO_LARGE -> "the answer is larger than the exporter reads";
      default -> "";
    };
  }
}
