package io.github.sensecapexporter.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Debian's mosquitto on loopback, with a password file, started and stopped by a test. */
public final class Mosquitto implements AutoCloseable {
  private final Path dir;
  private final int port;
  private Process process;

  private Mosquitto(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /**
   * Starts a broker that admits only the given users ({@code user, password, user, password...}).
   */
  public static Mosquitto start(Path dir, String... credentials) throws Exception {
    Path binary = SystemTools.require("mosquitto");
    Path passwordFile = dir.resolve("passwd");
    Files.writeString(passwordFile, "");
    for (int i = 0; i + 1 < credentials.length; i += 2) {
      setPassword(passwordFile, credentials[i], credentials[i + 1]);
    }
    Mosquitto mosquitto = new Mosquitto(dir, SystemTools.freePort());
    Files.writeString(
        dir.resolve("mosquitto.conf"),
        String.join(
            "\n",
            "listener " + mosquitto.port + " 127.0.0.1",
            "allow_anonymous false",
            "password_file " + passwordFile,
            "persistence false",
            // Run as whoever runs the tests; as root mosquitto would otherwise switch to its own
            // user.
            "user " + System.getProperty("user.name"),
            "log_dest stderr",
            ""));
    mosquitto.process =
        new ProcessBuilder(binary.toString(), "-c", dir.resolve("mosquitto.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mosquitto.log").toFile())
            .start();
    Await.until(
        Duration.ofSeconds(10), "mosquitto listening on " + mosquitto.port, mosquitto::accepts);
    return mosquitto;
  }

  private boolean accepts() {
    if (!process.isAlive()) {
      throw new IllegalStateException("mosquitto exited: " + log());
    }
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return socket.isConnected();
    } catch (IOException e) {
      return false;
    }
  }

  private static void setPassword(Path passwordFile, String user, String password)
      throws Exception {
    Path passwd = SystemTools.require("mosquitto_passwd");
    SystemTools.Result result =
        SystemTools.run(
            passwordFile.getParent(),
            null,
            passwd.toString(),
            "-b",
            passwordFile.toString(),
            user,
            password);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("mosquitto_passwd failed: " + result.output());
    }
  }

  /** Changes a user's password and makes the running broker reload its password file (SIGHUP). */
  public void changePassword(String user, String password) throws Exception {
    setPassword(dir.resolve("passwd"), user, password);
    SystemTools.Result result =
        SystemTools.run(dir, null, "kill", "-HUP", Long.toString(process.pid()));
    if (result.exitCode() != 0) {
      throw new IllegalStateException("kill -HUP failed: " + result.output());
    }
  }

  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  public String log() {
    try {
      return Files.readString(dir.resolve("mosquitto.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    SystemTools.stop(process);
  }
}
