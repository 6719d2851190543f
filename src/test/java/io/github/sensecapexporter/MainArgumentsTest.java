package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The command line past a first --probe, which alone makes a probe (as in the launcher). */
class MainArgumentsTest {
  @Test
  void aConfigFileNamedLikeTheProbeOptionIsAConfigFile() {
    Main.Arguments arguments = Main.Arguments.parse(new String[] {"--config", "--probe"});
    assertEquals(Optional.of(Path.of("--probe")), arguments.config());
  }

  @Test
  void aProbeOptionAfterAnotherIsRefusedAsAProbe() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Main.Arguments.parse(new String[] {"--demo", "--probe", "http://127.0.0.1:1/"}));
    assertEquals("--probe needs a URL and nothing else", e.getMessage());
  }
}
