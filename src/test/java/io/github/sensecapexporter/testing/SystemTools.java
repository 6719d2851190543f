package io.github.sensecapexporter.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds Debian's tools (mosquitto, prometheus, promtool) for the end-to-end tests. Where one is
 * missing the test is skipped, unless SENSECAP_REQUIRE_SYSTEM_TOOLS=true (as .ci/run sets it), when
 * it fails: CI must never pass by skipping.
 */
public final class SystemTools {
  public static final String REQUIRE_ENV = "SENSECAP_REQUIRE_SYSTEM_TOOLS";

  private SystemTools() {}

  public static Path require(String name) {
    List<String> dirs =
        new ArrayList<>(
            List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    dirs.add("/usr/sbin");
    dirs.add("/usr/bin");
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw missing(
        name + " is not installed (apt-get install mosquitto mosquitto-clients prometheus)");
  }

  /**
   * A file that an install step other than Debian's puts in place (such as {@code npm ci}), found,
   * skipped or failed as a missing tool is.
   */
  public static Path requireFile(Path path, String install) {
    if (Files.exists(path)) {
      return path;
    }
    throw missing(path + " is missing (" + install + ")");
  }

  private static AssertionError missing(String message) {
    if ("true".equals(System.getenv(REQUIRE_ENV))) {
      fail(message + ", and " + REQUIRE_ENV + "=true");
    }
    Assumptions.abort(message + "; skipped (" + REQUIRE_ENV + "=true makes this a failure)");
    return new AssertionError("unreachable");
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Runs a command to its end and returns its exit code and merged output. */
  public static Result run(Path workDir, String stdin, String... command)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    if (stdin != null) {
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), output);
  }

  /** Stops a server with SIGTERM, then SIGKILL if it lingers. */
  public static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** What a finished command said. */
  public record Result(int exitCode, String output) {}
}
