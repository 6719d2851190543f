package io.github.sensecapexporter.demo;

import io.github.sensecapexporter.concurrent.DaemonThreads;
import io.github.sensecapexporter.concurrent.UncaughtExceptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A simulated SenseCAP fleet that publishes on OpenStream's topics over real MQTT: values drift
 * with the time of day, and the fleet shows the feed's quirks (both fifth-level forms, values as
 * strings, a boolean, a non-numeric scan, battery and uplink-interval status events, and late
 * readings that arrive out of order).
 */
public final class DemoFleet implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DemoFleet.class.getName());
  private static final int BATTERY_EVERY_TICKS = 12;

  /** The data collection interval the devices report (status 3900), as real sensors' default. */
  private static final int UPLINK_MINUTES = 60;

  private static final int LATE_READING_EVERY_TICKS = 4;
  private static final long LATE_BY_MILLIS = Duration.ofMinutes(30).toMillis();

  private enum Kind {
    TEMPERATURE_HUMIDITY,
    CO2,
    WEATHER_STATION,
    SOIL,
    TRACKER,
    WATER_LEAK
  }

  /** {@code fifthLevel} is "vs" for current devices, the sensor EUI for older ones. */
  record Device(String eui, Kind kind, String fifthLevel, double battery, double bias) {}

  static final List<Device> DEVICES =
      List.of(
          new Device("2CF7F1C04430065C", Kind.TEMPERATURE_HUMIDITY, "vs", 96, 0.0),
          new Device("2CF7F1C0443006A1", Kind.TEMPERATURE_HUMIDITY, "vs", 71, 1.5),
          new Device("2CF7F1C0443007B2", Kind.TEMPERATURE_HUMIDITY, "vs", 8, -2.0),
          new Device("2CF7F1C0523000B1", Kind.CO2, "vs", 88, 0.0),
          new Device("2CF7F1C0523000C4", Kind.CO2, "vs", 64, 120.0),
          new Device("2CF7F1C0630002D5", Kind.WEATHER_STATION, "2CF7F13003900007", 100, 0.0),
          new Device("2CF7F1C0650001E2", Kind.SOIL, "2CF7F13003900019", 77, 0.0),
          new Device("2CF7F1C0720004E8", Kind.TRACKER, "vs", 52, 0.0),
          new Device("2CF7F1C0441000A3", Kind.WATER_LEAK, "vs", 93, 0.0));

  private final MqttClient client;
  private final String orgId;
  private final Clock clock;
  private final Random random = new Random();
  private final ScheduledExecutorService scheduler;
  private long tick;

  private DemoFleet(MqttClient client, String orgId, Clock clock) {
    this.client = client;
    this.orgId = orgId;
    this.clock = clock;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("demo-fleet"));
  }

  /** Connects to the broker and publishes the whole fleet now and then every {@code interval}. */
  public static DemoFleet start(String brokerUrl, String orgId, Duration interval, Clock clock)
      throws MqttException {
    MqttClient client = new MqttClient(brokerUrl, "demo-fleet-" + orgId, new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setAutomaticReconnect(true);
    options.setCleanSession(true);
    client.connect(options);
    DemoFleet fleet = new DemoFleet(client, orgId, clock);
    fleet.scheduler.scheduleAtFixedRate(
        UncaughtExceptions.guarded(fleet::publishFleet),
        0,
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
    LOG.info(
        "demo fleet of "
            + DEVICES.size()
            + " devices publishing every "
            + interval.toSeconds()
            + "s");
    return fleet;
  }

  private void publishFleet() {
    long now = clock.millis();
    double day = dayPhase(now);
    try {
      for (Device device : DEVICES) {
        publishReadings(device, now, day);
        if (tick % BATTERY_EVERY_TICKS == 0) {
          // Batteries drain slowly; the third sensor is nearly flat on purpose.
          double battery = Math.max(1, device.battery() - tick / 1000.0);
          publish(statusTopic(device, "3000"), body(format(battery, 0), now));
          publish(statusTopic(device, "3900"), body(Integer.toString(UPLINK_MINUTES), now));
        }
      }
      if (tick % LATE_READING_EVERY_TICKS == LATE_READING_EVERY_TICKS - 1) {
        // A tracker flushing its cache: an older reading that must not replace the newer one.
        Device tracker = DEVICES.get(7);
        publish(sensorTopic(tracker, "1", "4097"), body("19.50", now - LATE_BY_MILLIS));
      }
      tick++;
    } catch (MqttException | RuntimeException e) {
      LOG.fine("demo fleet could not publish: " + e);
    }
  }

  private void publishReadings(Device device, long now, double day) throws MqttException {
    switch (device.kind()) {
      case TEMPERATURE_HUMIDITY -> {
        publishNumber(device, "1", "4097", 21 + device.bias() + 4 * day + noise(0.2), 1, now);
        publishNumber(device, "1", "4098", 55 - 12 * day + noise(1), 1, now);
      }
      case CO2 -> {
        // This model's decoder sends strings, as SenseCAP's reference page shows.
        double co2 = 480 + device.bias() + 350 * Math.max(0, day) + noise(15);
        publish(
            sensorTopic(device, "1", "4100"),
            "{\"value\":\"" + format(co2, 0) + "\",\"timestamp\":\"" + now + "\"}");
        publishNumber(device, "1", "4097", 22.5 + 2 * day + noise(0.2), 1, now);
        publishNumber(device, "1", "4098", 45 - 8 * day + noise(1), 1, now);
      }
      case WEATHER_STATION -> {
        publishNumber(device, "1", "4097", 14 + 7 * day + noise(0.3), 1, now);
        publishNumber(device, "1", "4098", 70 - 20 * day + noise(2), 0, now);
        publishNumber(device, "1", "4099", Math.max(0, 60_000 * day + noise(500)), 0, now);
        publishNumber(device, "1", "4190", Math.max(0, 6 * day), 1, now);
        publishNumber(device, "1", "4105", Math.abs(3 + noise(1.5)), 1, now);
        publishNumber(device, "1", "4104", (random.nextInt(8) * 45), 0, now);
        publishNumber(
            device, "1", "4113", random.nextDouble() < 0.2 ? random.nextDouble() * 4 : 0, 1, now);
        publishNumber(device, "1", "4101", 101_325 + 300 * day + noise(40), 0, now);
      }
      case SOIL -> {
        // A probe on each of two sockets.
        for (String channel : List.of("1", "2")) {
          double depth = channel.equals("1") ? 1 : 0.6;
          publishNumber(device, channel, "4102", 12 + 3 * day * depth + noise(0.1), 1, now);
          publishNumber(device, channel, "4103", 35 - 4 * day * depth + noise(0.5), 1, now);
          publishNumber(device, channel, "4108", 0.8 + noise(0.05), 2, now);
        }
      }
      case TRACKER -> {
        publishNumber(device, "1", "4197", 8.5417 + noise(0.001), 6, now);
        publishNumber(device, "1", "4198", 47.3769 + noise(0.001), 6, now);
        publishNumber(device, "1", "4097", 20 + 3 * day + noise(0.3), 1, now);
        publishNumber(device, "1", "4199", Math.max(0, 50 + 45 * day), 0, now);
        // A Wi-Fi scan: well-formed, not a number.
        publish(
            sensorTopic(device, "1", "5001"),
            "{\"value\":[{\"mac\":\"4C:5E:0C:12:34:56\",\"rssi\":"
                + (-60 - random.nextInt(20))
                + "}],\"timestamp\":"
                + now
                + "}");
      }
      case WATER_LEAK ->
          publish(
              sensorTopic(device, "1", "4116"),
              "{\"value\":" + (random.nextDouble() < 0.05) + ",\"timestamp\":" + now + "}");
    }
  }

  private void publishNumber(
      Device device, String channel, String measurementId, double value, int decimals, long now)
      throws MqttException {
    publish(sensorTopic(device, channel, measurementId), body(format(value, decimals), now));
  }

  private String sensorTopic(Device device, String channel, String measurementId) {
    return "/device_sensor_data/"
        + orgId
        + "/"
        + device.eui()
        + "/"
        + channel
        + "/"
        + device.fifthLevel()
        + "/"
        + measurementId;
  }

  private String statusTopic(Device device, String statusId) {
    return "/device_status_event/" + orgId + "/" + device.eui() + "/vs/" + statusId;
  }

  private static String body(String value, long timestampMillis) {
    return "{\"value\":" + value + ",\"timestamp\":" + timestampMillis + "}";
  }

  private void publish(String topic, String body) throws MqttException {
    client.publish(topic, body.getBytes(StandardCharsets.UTF_8), 0, false);
  }

  /** -1 at midnight, +1 at noon. */
  private static double dayPhase(long millis) {
    double dayFraction = (millis % 86_400_000L) / 86_400_000.0;
    return -Math.cos(2 * Math.PI * dayFraction);
  }

  private double noise(double spread) {
    return random.nextGaussian() * spread;
  }

  private static String format(double value, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", value);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      if (client.isConnected()) {
        client.disconnect(500);
      }
      client.close();
    } catch (MqttException e) {
      LOG.fine("demo fleet disconnect: " + e);
    }
  }
}
