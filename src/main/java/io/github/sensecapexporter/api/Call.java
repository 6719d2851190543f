package io.github.sensecapexporter.api;

/** The calls of the SenseCAP HTTP API that describe the fleet; the path is the metrics' label. */
enum Call {
  LIST_GROUPS("list_groups", false),
  LIST_DEVICES("list_devices", false),
  VIEW_DEVICES("view_devices", true),
  VIEW_DEVICE_RUNNING_STATUS("view_device_running_status", true);

  private final String path;
  private final boolean post;

  Call(String path, boolean post) {
    this.path = path;
    this.post = post;
  }

  String path() {
    return path;
  }

  /** POST with a JSON body, else GET with a query. */
  boolean post() {
    return post;
  }
}
