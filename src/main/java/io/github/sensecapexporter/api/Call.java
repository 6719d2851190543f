package io.github.sensecapexporter.api;

/** The calls of the SenseCAP HTTP API that describe the fleet; the path is the metrics' label. */
enum Call {
  LIST_GROUPS("list_groups"),
  LIST_DEVICES("list_devices"),
  VIEW_DEVICES("view_devices"),
  VIEW_DEVICE_RUNNING_STATUS("view_device_running_status");

  private final String path;

  Call(String path) {
    this.path = path;
  }

  String path() {
    return path;
  }
}
