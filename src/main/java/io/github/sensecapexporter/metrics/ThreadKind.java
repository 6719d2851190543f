package io.github.sensecapexporter.metrics;

/** What a thread is for, told by its name: the label of an uncaught exception. */
public enum ThreadKind {
  /** Paho's threads ("MQTT Rec: client-id" and the like) and ours ("mqtt-connect"). */
  MQTT("mqtt"),
  /**
   * The pool that answers HTTP requests ("http") and the JDK server's own: "HTTP-Dispatcher" and
   * the timers that close idle and overdue connections.
   */
  HTTP("http"),
  /** The periodic sweep of expired series and saves of the state. */
  HOUSEKEEPING("housekeeping"),
  /** The poller of the SenseCAP HTTP API ("api-poller") and its HTTP client's ("api-http"). */
  API("api"),
  OTHER("other");

  private final String label;

  ThreadKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static ThreadKind of(String threadName) {
    if (threadName.startsWith("MQTT ") || threadName.startsWith("mqtt-")) {
      return MQTT;
    } else if (threadName.equals("http")
        || threadName.startsWith("HTTP-")
        || threadName.equals("idle-timeout-task")
        || threadName.equals("req-rsp-timeout-task")) {
      return HTTP;
    } else if (threadName.equals("housekeeping")) {
      return HOUSEKEEPING;
    } else if (threadName.startsWith("api-")) {
      return API;
    }
    return OTHER;
  }
}
