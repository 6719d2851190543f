package io.github.sensecapexporter.fleet;

import java.util.Optional;

/** A LoRaWAN gateway of the organisation, as the SenseCAP HTTP API lists it. */
public record Gateway(String eui, String name, Optional<Boolean> online) {
  public Gateway {
    name = Fleet.label(name);
  }

  public Gateway withOnline(Optional<Boolean> newOnline) {
    return new Gateway(eui, name, newOnline);
  }
}
