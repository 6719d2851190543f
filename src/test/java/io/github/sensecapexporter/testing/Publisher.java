package io.github.sensecapexporter.testing;

import java.nio.charset.StandardCharsets;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A device-side MQTT client that publishes what OpenStream would. */
public final class Publisher implements AutoCloseable {
  private final MqttClient client;

  public Publisher(String url, String username, String password) throws MqttException {
    client = new MqttClient(url, "test-publisher-" + System.nanoTime(), new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    // Room for a burst of QoS 1 messages not yet acknowledged.
    options.setMaxInflight(10_000);
    if (username != null) {
      options.setUserName(username);
      options.setPassword(password.toCharArray());
    }
    client.connect(options);
  }

  public Publisher(String url) throws MqttException {
    this(url, null, null);
  }

  public void publish(String topic, String body) throws MqttException {
    client.publish(topic, body.getBytes(StandardCharsets.UTF_8), 1, false);
  }

  @Override
  public void close() throws MqttException {
    if (client.isConnected()) {
      client.disconnect();
    }
    client.close();
  }
}
