package io.github.sensecapexporter.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Debian's mosquitto on loopback, with a password file, started and stopped by a test. */
public final class Mosquitto implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final int tlsPort;
  private Process process;

  /**
   * A TLS listener's files, PEM: the CA that signs client certificates, the broker's certificate
   * and key; {@code requireCertificate} makes a client certificate signed by that CA mandatory.
   */
  public record Tls(Path caFile, Path certFile, Path keyFile, boolean requireCertificate) {}

  private Mosquitto(Path dir, int port, int tlsPort) {
    this.dir = dir;
    this.port = port;
    this.tlsPort = tlsPort;
  }

  /**
   * Starts a broker that admits only the given users ({@code user, password, user, password...}).
   */
  public static Mosquitto start(Path dir, String... credentials) throws Exception {
    return start(dir, List.of(), credentials);
  }

  /** Starts a broker with more lines of configuration (an ACL file, a persistent store...). */
  public static Mosquitto start(Path dir, List<String> extraConfig, String... credentials)
      throws Exception {
    return start(dir, extraConfig, null, credentials);
  }

  /**
   * Starts a broker with a TLS listener ({@link #sslUrl()}) besides the plain one ({@link #url()},
   * for publishers); both check the same passwords.
   */
  public static Mosquitto startTls(Path dir, Tls tls, String... credentials) throws Exception {
    return start(dir, List.of(), tls, credentials);
  }

  private static Mosquitto start(Path dir, List<String> extraConfig, Tls tls, String... credentials)
      throws Exception {
    Path passwordFile = dir.resolve("passwd");
    Files.writeString(passwordFile, "");
    for (int i = 0; i + 1 < credentials.length; i += 2) {
      setPassword(passwordFile, credentials[i], credentials[i + 1]);
    }
    Mosquitto mosquitto =
        new Mosquitto(dir, SystemTools.freePort(), tls == null ? 0 : SystemTools.freePort());
    List<String> config = new ArrayList<>();
    config.add("listener " + mosquitto.port + " 127.0.0.1");
    config.add("allow_anonymous false");
    config.add("password_file " + passwordFile);
    // Run as whoever runs the tests; as root mosquitto would otherwise switch to its own user.
    config.add("user " + System.getProperty("user.name"));
    config.add("log_dest stderr");
    config.addAll(extraConfig);
    if (extraConfig.stream().noneMatch(line -> line.startsWith("persistence "))) {
      config.add("persistence false");
    }
    if (tls != null) {
      // Listener options apply to the listener line above them.
      config.add("listener " + mosquitto.tlsPort + " 127.0.0.1");
      config.add("cafile " + tls.caFile());
      config.add("certfile " + tls.certFile());
      config.add("keyfile " + tls.keyFile());
      if (tls.requireCertificate()) {
        config.add("require_certificate true");
        config.add("use_identity_as_username false");
      }
    }
    Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n", config) + "\n");
    mosquitto.launch();
    return mosquitto;
  }

  private void launch() throws Exception {
    Path binary = SystemTools.require("mosquitto");
    process =
        new ProcessBuilder(binary.toString(), "-c", dir.resolve("mosquitto.conf").toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile()))
            .start();
    Await.until(Duration.ofSeconds(10), "mosquitto listening on " + port, () -> accepts(port));
    if (tlsPort != 0) {
      Await.until(
          Duration.ofSeconds(10), "mosquitto listening on " + tlsPort, () -> accepts(tlsPort));
    }
  }

  /** Kills the broker with SIGKILL, as a crash would. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** Starts the broker again on the same port with the same configuration. */
  public void restart() throws Exception {
    launch();
  }

  /** Freezes the broker (SIGSTOP): its sockets stay open and it answers nothing. */
  public void freeze() throws Exception {
    signal("-STOP");
  }

  /** Thaws a frozen broker (SIGCONT). */
  public void thaw() throws Exception {
    signal("-CONT");
  }

  /** Makes the broker reload its password and ACL files (SIGHUP). */
  public void reload() throws Exception {
    signal("-HUP");
  }

  private void signal(String signal) throws Exception {
    SystemTools.Result result =
        SystemTools.run(dir, null, "kill", signal, Long.toString(process.pid()));
    if (result.exitCode() != 0) {
      throw new IllegalStateException("kill " + signal + " failed: " + result.output());
    }
  }

  private boolean accepts(int port) {
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
    reload();
  }

  public int port() {
    return port;
  }

  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  /** The TLS listener of a broker started with {@link #startTls}. */
  public String sslUrl() {
    if (tlsPort == 0) {
      throw new IllegalStateException("this broker has no TLS listener");
    }
    return "ssl://127.0.0.1:" + tlsPort;
  }

  public int tlsPort() {
    return tlsPort;
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
    if (process.isAlive()) {
      try {
        thaw(); // a frozen broker would ignore SIGTERM
      } catch (Exception e) {
        process.destroyForcibly();
      }
    }
    SystemTools.stop(process);
  }
}
