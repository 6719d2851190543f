package io.github.sensecapexporter.parse;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadParserTest {

  private static Reading parse(String json) {
    return PayloadParser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertNumeric(double value, long timestampMillis, Reading reading) {
    assertEquals(Reading.Status.NUMERIC, reading.status(), () -> "status of " + reading);
    assertEquals(value, reading.value(), () -> "value of " + reading);
    assertEquals(timestampMillis, reading.timestampMillis(), () -> "timestamp of " + reading);
  }

  private static void assertStatus(Reading.Status expected, String json) {
    Reading reading = parse(json);
    assertEquals(expected, reading.status(), () -> json + " gave " + reading);
  }

  @Nested
  class Values {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        value = {
          "{\"value\": 23.5, \"timestamp\": 1759186369000}  | 23.5   | 1759186369000",
          "{\"value\": 437, \"timestamp\": 1544151922137}   | 437    | 1544151922137",
          "{\"value\": -3}                                  | -3     | ",
          "{\"value\": 0}                                   | 0      | ",
          "{\"value\": 1e3}                                 | 1000   | ",
          "{\"value\": 1.5E-2}                              | 0.015  | ",
          "{\"value\": 9007199254740993}                    | 9007199254740992 | ",
          "{\"timestamp\": 1544151922137, \"value\": 7.19}  | 7.19   | 1544151922137",
          "' {\"value\" : 7.19 } \t'                        | 7.19   | ",
        })
    void numbers(String json, double value, Long timestamp) {
      assertNumeric(value, timestamp == null ? Reading.NO_TIMESTAMP : timestamp, parse(json));
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "'437'     | 437",
          "' 12.5 '  | 12.5",
          "'12.5'    | 12.5",
          "'-3'      | -3",
          "'+3'      | 3",
          "'1e3'     | 1000",
          "'1E-3'    | 0.001",
          "'-2.5e+2' | -250",
          "'.5'      | 0.5",
          "'5.'      | 5",
          "'1e-400'  | 0",
        })
    void numericStrings(String text, double value) {
      assertNumeric(value, Reading.NO_TIMESTAMP, parse("{\"value\": \"" + text + "\"}"));
    }

    @Test
    void trueIsOne() {
      assertNumeric(1, 1544151922137L, parse("{\"value\": true, \"timestamp\": 1544151922137}"));
    }

    @Test
    void falseIsZero() {
      assertNumeric(0, 1544151922137L, parse("{\"value\": false, \"timestamp\": 1544151922137}"));
    }

    @Test
    void bothFieldsAsStrings() {
      assertNumeric(
          437, 1544151922137L, parse("{\"value\": \"437\", \"timestamp\": \"1544151922137\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
        strings = {
          "{\"value\": 1, \"extra\": 2}",
          "{\"extra\": \"x\", \"value\": 1}",
          "{\"a\": null, \"b\": true, \"c\": [1, {\"d\": [\"e\"]}], \"value\": 1, \"f\": -1e999}",
          "{\"value\": 1, \"meta\": {\"a\": {\"b\": {\"c\": {\"d\": {\"e\": {\"f\": [[[[{}]]]]}}}}}}}",
          "{\"Value\": \"not me\", \"value\": 1, \"VALUE\": [], \"values\": {}}",
          "{\"value\": 1, \"Timestamp\": \"not me\", \"timestamps\": {}, \"time\": -5}",
        })
    void unknownFieldsAreIgnored(String json) {
      assertNumeric(1, Reading.NO_TIMESTAMP, parse(json));
    }

    @Test
    void moderatelyDeepUnknownFieldIsIgnored() {
      String deep = "[".repeat(100) + "]".repeat(100);
      assertNumeric(
          1,
          5_000_000_000_000L,
          parse("{\"value\": 1, \"x\": " + deep + ", \"timestamp\": 5000000000000}"));
    }

    @Test
    void duplicateValueLastNumberWins() {
      assertNumeric(2, Reading.NO_TIMESTAMP, parse("{\"value\": 1, \"value\": 2}"));
    }

    @Test
    void duplicateValueNumberAfterNonNumericWins() {
      assertNumeric(3, Reading.NO_TIMESTAMP, parse("{\"value\": \"abc\", \"value\": \"3\"}"));
      assertNumeric(4, Reading.NO_TIMESTAMP, parse("{\"value\": [1, 2], \"value\": 4}"));
    }

    @Test
    void duplicateValueNonNumericAfterNumberWins() {
      assertStatus(Reading.Status.NON_NUMERIC, "{\"value\": 1, \"value\": \"abc\"}");
      assertStatus(Reading.Status.NON_NUMERIC, "{\"value\": 1, \"value\": {\"a\": 1}}");
    }

    @Test
    void escapedNamesAndStringsAreDecoded() {
      assertNumeric(
          437,
          1544151922137L,
          parse("{\"\\u0076alue\": \"\\u0034\\u00337\", \"time\\u0073tamp\": 1544151922137}"));
    }

    @Test
    void nestingUpToTheLimitIsSkipped() {
      int depth = PayloadParser.MAX_DEPTH;
      assertNumeric(
          1,
          Reading.NO_TIMESTAMP,
          parse("{\"x\": " + "[".repeat(depth) + "]".repeat(depth) + ", \"value\": 1}"));
      assertStatus(
          Reading.Status.INVALID,
          "{\"x\": " + "[".repeat(depth + 1) + "]".repeat(depth + 1) + ", \"value\": 1}");
    }

    @Test
    void aLeadingByteOrderMarkIsSkipped() {
      byte[] json = "{\"value\": 2}".getBytes(StandardCharsets.UTF_8);
      byte[] body = new byte[json.length + 3];
      body[0] = (byte) 0xEF;
      body[1] = (byte) 0xBB;
      body[2] = (byte) 0xBF;
      System.arraycopy(json, 0, body, 3, json.length);
      assertNumeric(2, Reading.NO_TIMESTAMP, PayloadParser.parse(body));
    }

    @Test
    void sameBytesSameReading() {
      byte[] body =
          "{\"value\": 23.5, \"timestamp\": 1759186369000}".getBytes(StandardCharsets.UTF_8);
      assertEquals(PayloadParser.parse(body), PayloadParser.parse(body));
    }
  }

  @Nested
  class Timestamps {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
        delimiter = '|',
        value = {
          // milliseconds as a number
          "1759186369000         | 1759186369000",
          "1544151922137         | 1544151922137",
          "1000000000000         | 1000000000000",
          "1.759186369E12        | 1759186369000",
          // milliseconds as a string
          "'\"1544151922137\"'   | 1544151922137",
          "'\" 1544151922137 \"' | 1544151922137",
          // below 10^12: seconds
          "1544151922            | 1544151922000",
          "999999999999          | 999999999999000",
          "1544151922.5          | 1544151922500",
          "'\"1759186369\"'      | 1759186369000",
          "0                     | 0",
          "1                     | 1000",
        })
    void readsTimestamp(String timestamp, long millis) {
      assertNumeric(1.5, millis, parse("{\"value\": 1.5, \"timestamp\": " + timestamp + "}"));
    }

    @Test
    void absentTimestampIsNoTimestamp() {
      Reading reading = parse("{\"value\": 1.5}");
      assertNumeric(1.5, Reading.NO_TIMESTAMP, reading);
      assertFalse(reading.hasTimestamp());
    }

    @Test
    void nullTimestampIsNoTimestamp() {
      Reading reading = parse("{\"value\": 1.5, \"timestamp\": null}");
      assertNumeric(1.5, Reading.NO_TIMESTAMP, reading);
      assertFalse(reading.hasTimestamp());
    }

    @Test
    void presentTimestampIsReported() {
      assertTrue(parse("{\"value\": 1.5, \"timestamp\": 1759186369000}").hasTimestamp());
    }
  }

  @Nested
  class NonNumeric {
    @ParameterizedTest(name = "{0}")
    @ValueSource(
        strings = {
          "[]",
          "[{\"mac\": \"AA:BB:CC:DD:EE:FF\", \"rssi\": -70}]",
          "[1, 2, 3]",
          "[{\"id\": 1, \"eventName\": \"x\"}]",
          "{}",
          "{\"a\": 1}",
          "\"abc\"",
          "\"0x1F\"",
          "\"1d\"",
          "\"1f\"",
          "\"1.2.3\"",
          "\"\"",
          "\"   \"",
          "\"-\"",
          "\".\"",
          "\"1e\"",
          "\"e5\"",
          "\"1,5\"",
          "\"12 5\"",
          "\"true\"",
          "\"2CF7F1C0440003C9\"",
        })
    void isNonNumeric(String value) {
      Reading reading = parse("{\"value\": " + value + ", \"timestamp\": 1759186369000}");
      assertEquals(Reading.Status.NON_NUMERIC, reading.status(), () -> value + " gave " + reading);
    }

    @Test
    void nonNumericWithoutTimestamp() {
      assertStatus(Reading.Status.NON_NUMERIC, "{\"value\": [1]}");
    }
  }

  @Nested
  class Invalid {
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
        strings = {
          // malformed JSON
          "",
          " ",
          "{",
          "{\"value\": 1",
          "{\"value\": 1,}",
          "{\"value\" 1}",
          "{value: 1}",
          "{'value': 1}",
          "{\"value\": 01}",
          "{\"value\": 1 // comment\n}",
          "{\"value\": 1, \"x\": 01}",
          "{\"value\": 1, \"x\": -01}",
          "{\"value\": 1, \"x\": 1.e5}",
          "{\"value\": 1, \"x\": 1e}",
          "{\"value\": 1, \"x\": +1}",
          "{\"value\": 1, \"x\": \"\\x\"}",
          "{\"value\": 1, \"x\": \"\\u12G4\"}",
          "{\"value\": 1, \"x\": [1,]}",
          "{\"value\": 1, \"x\": [1}",
          "{\"value\": 1, \"x\": {\"a\"}}",
          "{\"value\": 1, \"x\": tru}",
          "{\"value\": tru}",
          "{\"value\": 1, \"timestamp\": nul}",
          "not json",
          // not an object
          "[]",
          "[{\"value\": 1}]",
          "1",
          "23.5",
          "\"23.5\"",
          "true",
          "null",
          // no usable value
          "{}",
          "{\"timestamp\": 1759186369000}",
          "{\"Value\": 1}",
          "{\"value\": null}",
          "{\"value\": null, \"timestamp\": 1759186369000}",
          // NaN and infinities
          "{\"value\": NaN}",
          "{\"value\": Infinity}",
          "{\"value\": -Infinity}",
          "{\"value\": \"NaN\"}",
          "{\"value\": \"nan\"}",
          "{\"value\": \"Infinity\"}",
          "{\"value\": \"-Infinity\"}",
          "{\"value\": \"inf\"}",
          "{\"value\": \"-inf\"}",
          "{\"value\": \" +INF \"}",
          "{\"value\": 1e400}",
          "{\"value\": -1e400}",
          "{\"value\": \"1e400\"}",
          "{\"value\": \"-1e400\"}",
          // bad timestamps
          "{\"value\": 1, \"timestamp\": -1}",
          "{\"value\": 1, \"timestamp\": -1544151922137}",
          "{\"value\": 1, \"timestamp\": \"-1544151922137\"}",
          "{\"value\": 1, \"timestamp\": \"abc\"}",
          "{\"value\": 1, \"timestamp\": \"\"}",
          "{\"value\": 1, \"timestamp\": \"NaN\"}",
          "{\"value\": 1, \"timestamp\": \"2019-11-12T06:35:25Z\"}",
          "{\"value\": 1, \"timestamp\": {}}",
          "{\"value\": 1, \"timestamp\": {\"ms\": 1544151922137}}",
          "{\"value\": 1, \"timestamp\": [1544151922137]}",
          "{\"value\": 1, \"timestamp\": true}",
          "{\"value\": 1, \"timestamp\": 1e400}",
          "{\"value\": 1, \"timestamp\": \"1e400\"}",
          "{\"value\": 1, \"timestamp\": 1e300}",
          // trailing garbage after the object
          "{\"value\": 1} x",
          "{\"value\": 1}}",
          "{\"value\": 1},",
          "{\"value\": 1}{\"value\": 2}",
          "{\"value\": 1} 2",
          "{\"value\": [1]} x",
        })
    void isInvalid(String json) {
      Reading reading = parse(json);
      assertEquals(Reading.Status.INVALID, reading.status(), () -> json + " gave " + reading);
      assertFalse(reading.hasTimestamp());
    }
  }

  @Nested
  class HostileInput {
    private static byte[] concat(byte[]... parts) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (byte[] part : parts) {
        out.writeBytes(part);
      }
      return out.toByteArray();
    }

    private static byte[] ascii(String text) {
      return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static final byte[] BAD_UTF8 = {
      (byte) 0xff, (byte) 0xfe, (byte) 0xc3, (byte) 0x28, (byte) 0xe2, (byte) 0x82
    };

    @Test
    void invalidUtf8InUnknownFieldDoesNotThrow() {
      byte[] body = concat(ascii("{\"note\": \""), BAD_UTF8, ascii("\", \"value\": 2}"));
      Reading reading = assertDoesNotThrow(() -> PayloadParser.parse(body));
      assertNumeric(2, Reading.NO_TIMESTAMP, reading);
    }

    @Test
    void invalidUtf8InValueDoesNotThrow() {
      byte[] body = concat(ascii("{\"value\": \""), BAD_UTF8, ascii("\"}"));
      Reading reading = assertDoesNotThrow(() -> PayloadParser.parse(body));
      assertEquals(Reading.Status.NON_NUMERIC, reading.status());
    }

    @Test
    void invalidUtf8InTimestampDoesNotThrow() {
      byte[] body = concat(ascii("{\"value\": 1, \"timestamp\": \""), BAD_UTF8, ascii("\"}"));
      Reading reading = assertDoesNotThrow(() -> PayloadParser.parse(body));
      assertEquals(Reading.Status.INVALID, reading.status());
    }

    @Test
    void invalidUtf8OutsideStringsDoesNotThrow() {
      byte[] body = concat(ascii("{\"value\": 1"), BAD_UTF8, ascii("}"));
      Reading reading = assertDoesNotThrow(() -> PayloadParser.parse(body));
      assertEquals(Reading.Status.INVALID, reading.status());
    }

    @Test
    void unclosedDeepNestingInUnknownFieldDoesNotThrow() {
      String json = "{\"value\": 1, \"x\": " + "[".repeat(100_000);
      Reading reading = assertDoesNotThrow(() -> parse(json));
      assertEquals(Reading.Status.INVALID, reading.status());
    }

    @Test
    void closedDeepNestingInUnknownFieldDoesNotThrow() {
      // Well-formed JSON: a parser may skip it (NUMERIC) or refuse the depth (INVALID).
      String json = "{\"value\": 1, \"x\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}";
      Reading reading = assertDoesNotThrow(() -> parse(json));
      assertNotEquals(Reading.Status.NON_NUMERIC, reading.status());
      if (reading.status() == Reading.Status.NUMERIC) {
        assertNumeric(1, Reading.NO_TIMESTAMP, reading);
      }
    }

    @Test
    void deepNestingInValueDoesNotThrow() {
      String json = "{\"value\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}";
      Reading reading = assertDoesNotThrow(() -> parse(json));
      assertNotEquals(Reading.Status.NUMERIC, reading.status());
    }

    @Test
    void deepNestingOfObjectsDoesNotThrow() {
      String json = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
      Reading reading = assertDoesNotThrow(() -> parse(json));
      assertEquals(Reading.Status.INVALID, reading.status());
    }

    @Test
    void hugeStringValueDoesNotThrow() {
      String json = "{\"value\": \"" + "9".repeat(1_000_000) + "\"}";
      Reading reading = assertDoesNotThrow(() -> parse(json));
      assertEquals(Reading.Status.INVALID, reading.status());
    }

    @Test
    void controlCharacterInStringIsInvalid() {
      Reading reading = assertDoesNotThrow(() -> parse("{\"value\": \"1\u0000\"}"));
      assertNotEquals(Reading.Status.NUMERIC, reading.status());
    }
  }
}
