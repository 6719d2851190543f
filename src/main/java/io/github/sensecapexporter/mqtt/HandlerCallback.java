package io.github.sensecapexporter.mqtt;

import io.github.sensecapexporter.ingest.MessageHandler;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttMessage;

/**
 * What Paho calls on its callback thread: each message goes to the handler, a lost connection to
 * whoever keeps the client.
 */
final class HandlerCallback implements MqttCallback {
  private static final Logger LOG = Logger.getLogger(HandlerCallback.class.getName());

  private final MessageHandler handler;
  private final Consumer<Throwable> onConnectionLost;

  HandlerCallback(MessageHandler handler, Consumer<Throwable> onConnectionLost) {
    this.handler = handler;
    this.onConnectionLost = onConnectionLost;
  }

  @Override
  public void messageArrived(String topic, MqttMessage message) {
    if (topic.equals(InboundFilter.DISCARDED_TOPIC)) {
      return; // counted by the filter that refused it; Paho acknowledges it when this returns
    }
    try {
      handler.handle(topic, message.getPayload());
    } catch (RuntimeException e) {
      // Paho drops the connection when the callback throws; one bad message must not cost the rest.
      LOG.log(Level.SEVERE, "unexpected failure handling a message on " + topic + ": " + e, e);
    }
  }

  @Override
  public void connectionLost(Throwable cause) {
    onConnectionLost.accept(cause);
  }

  @Override
  public void deliveryComplete(IMqttDeliveryToken token) {
    // Only subscribes; never publishes.
  }
}
