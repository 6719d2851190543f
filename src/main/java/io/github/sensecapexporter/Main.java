package io.github.sensecapexporter;

import io.github.sensecapexporter.concurrent.UncaughtExceptions;
import io.github.sensecapexporter.config.Secret;
import io.github.sensecapexporter.config.Settings;
import io.github.sensecapexporter.config.SettingsException;
import io.github.sensecapexporter.config.UnreadableFileException;
import io.github.sensecapexporter.demo.DemoApi;
import io.github.sensecapexporter.demo.DemoBroker;
import io.github.sensecapexporter.demo.DemoFleet;
import io.github.sensecapexporter.logging.LogSetup;
import io.github.sensecapexporter.probe.HttpProbe;
import io.github.sensecapexporter.store.HeapBudget;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import org.eclipse.paho.client.mqttv3.MqttException;

/** Reads the command line and the configuration, then wires and starts the exporter. */
public final class Main {
  static {
    LogSetup.installLogManager();
  }

  private static final Logger LOG = Logger.getLogger(Main.class.getName());
  private static final String DEMO_HOST = "127.0.0.1";
  private static final Duration DEMO_READY_TIMEOUT = Duration.ofSeconds(10);
  static final int EXIT_USAGE = 2;
  static final int EXIT_FAILURE = 1;

  /** What the shutdown hook exits with: 0 after SIGTERM or SIGINT, 1 after a failed start-up. */
  private static volatile int exitStatus = 0;

  private static final String USAGE =
      """
      Usage: sensecap-exporter [--config FILE] [--set KEY=VALUE]... [--demo] [--version] [--help]
             sensecap-exporter --probe URL

        --config FILE    read FILE instead of ./application.conf (defaults stay in effect)
        --set KEY=VALUE  set one key, over the file and -D options, e.g. sensecap.http.port=9817
        --demo           run an embedded broker and a simulated fleet; no SenseCAP account needed
        --version        print the version, git revision and build date, and exit
        --help           print this help and exit
        --probe URL      GET URL and exit 0 on a 2xx answer within 2 s, else 1 (a healthcheck)

      Any key can also be set as a JVM option, -Dkey=value, before -jar or in JAVA_OPTS.
      """;

  /** --probe reads no configuration, so an option beside it would be ignored: it is refused. */
  private static final String PROBE_USAGE = "--probe needs a URL and nothing else";

  private Main() {}

  /** The parsed command line. */
  record Arguments(
      Optional<Path> config,
      Map<String, String> overrides,
      boolean demo,
      boolean version,
      boolean help) {

    static Arguments parse(String[] args) {
      Optional<Path> config = Optional.empty();
      Map<String, String> overrides = new LinkedHashMap<>();
      boolean demo = false;
      boolean version = false;
      boolean help = false;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (arg.equals("--config") && i + 1 < args.length) {
          config = Optional.of(Path.of(args[++i]));
        } else if (arg.startsWith("--config=")) {
          config = Optional.of(Path.of(arg.substring("--config=".length())));
        } else if (arg.equals("--set") && i + 1 < args.length) {
          override(args[++i], overrides);
        } else if (arg.startsWith("--set=")) {
          override(arg.substring("--set=".length()), overrides);
        } else if (arg.equals("--demo")) {
          demo = true;
        } else if (arg.equals("--version")) {
          version = true;
        } else if (arg.equals("--help") || arg.equals("-h")) {
          help = true;
        } else {
          throw new IllegalArgumentException(
              switch (arg) {
                case "--config" -> "--config needs a file";
                case "--set" -> "--set needs KEY=VALUE";
                case "--probe" -> PROBE_USAGE;
                default -> "unknown argument: " + arg;
              });
        }
      }
      return new Arguments(config, Map.copyOf(overrides), demo, version, help);
    }

    /** One key: the exporter's own, so that a key it does not know is named, not ignored. */
    private static void override(String assignment, Map<String, String> overrides) {
      int equals = assignment.indexOf('=');
      if (equals < 1) {
        throw new IllegalArgumentException("--set needs KEY=VALUE, not " + assignment);
      }
      String key = assignment.substring(0, equals);
      if (!key.startsWith(Settings.ROOT + ".")) {
        throw new IllegalArgumentException(
            "--set " + key + ": not a key of the exporter's, which start with " + Settings.ROOT);
      }
      overrides.put(key, assignment.substring(equals + 1));
    }
  }

  public static void main(String[] args) {
    // Before anything else: a container's healthcheck runs this every 30 s, with no configuration.
    // The launcher's rule too: only a first --probe is one, not a --config or --set value.
    if (args.length > 0 && args[0].equals("--probe")) {
      if (args.length != 2) {
        System.err.println("sensecap-exporter: " + PROBE_USAGE);
        System.exit(EXIT_USAGE);
        return;
      }
      System.exit(HttpProbe.run(args[1], System.err));
      return;
    }
    Arguments arguments;
    try {
      arguments = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("sensecap-exporter: " + e.getMessage());
      // A misplaced --probe gets the one line a first one with the wrong arguments gets.
      if (!e.getMessage().equals(PROBE_USAGE)) {
        System.err.print(USAGE);
      }
      System.exit(EXIT_USAGE);
      return;
    }
    if (arguments.help()) {
      System.out.print(USAGE);
      return;
    }
    if (arguments.version()) {
      System.out.println(Version.current().line());
      return;
    }
    Settings settings;
    try {
      settings = Settings.load(arguments.config(), arguments.overrides(), arguments.demo());
    } catch (SettingsException e) {
      System.err.println("sensecap-exporter: configuration error: " + e.getMessage());
      System.exit(EXIT_USAGE);
      return;
    } catch (UnreadableFileException e) {
      System.err.println("sensecap-exporter: cannot start: " + e.getMessage());
      System.exit(EXIT_FAILURE);
      return;
    }
    LogSetup.configure(settings.logLevel());
    UncaughtExceptions.install(secrets(settings));
    HeapBudget.warning(settings.series().maxSeries(), Runtime.getRuntime().maxMemory())
        .ifPresent(LOG::warning);
    try {
      run(settings, System.out);
    } catch (StartUpException e) {
      failToStart(e.getMessage());
    } catch (IOException | MqttException | RuntimeException e) {
      failToStart(UncaughtExceptions.masked(e.toString()));
    }
  }

  /**
   * What must never appear in a log line: the access key, the HTTP API's Authorization header that
   * carries it (and its Base64 part alone), and the login hashes.
   */
  static List<String> secrets(Settings settings) {
    List<String> secrets = new ArrayList<>(List.of(settings.mqtt().password().reveal()));
    settings
        .api()
        .connection()
        .ifPresent(
            connection -> {
              String header = connection.authorization().reveal();
              secrets.add(header.substring(header.indexOf(' ') + 1));
            });
    settings.http().basicAuthUsers().values().forEach(hash -> secrets.add(hash.reveal()));
    return secrets;
  }

  /**
   * One line on standard error, then exit 1 through the shutdown hook, which closes what had
   * started and must not turn the failure into the 0 of a SIGTERM: systemd's {@code
   * Restart=on-failure} would not restart an exporter that failed with 0.
   */
  private static void failToStart(String cause) {
    System.err.println("sensecap-exporter: cannot start: " + cause);
    exitStatus = EXIT_FAILURE;
    System.exit(EXIT_FAILURE);
  }

  private static void run(Settings settings, PrintStream out)
      throws StartUpException, IOException, MqttException {
    // Registered first, so that a SIGTERM during start-up closes what has started and exits 0.
    List<AutoCloseable> running = new CopyOnWriteArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutDown(running), "shutdown"));
    DemoBroker broker = null;
    if (settings.demo() != null) {
      broker =
          DemoBroker.start(DEMO_HOST, settings.demo().mqttPort(), settings.demo().websocketPort());
      running.add(broker);
      DemoApi api = DemoApi.start(DEMO_HOST, Clock.systemUTC());
      running.add(api);
      settings =
          settings
              .withMqttUrl(broker.tcpUrl())
              .withApi(
                  settings
                      .api()
                      .withConnection(
                          api.url(), DemoApi.ACCESS_ID, new Secret(DemoApi.ACCESS_KEY)));
    }
    Exporter exporter = Exporter.start(settings, Clock.systemUTC());
    running.add(exporter);
    if (broker != null) {
      awaitReady(exporter);
      running.add(
          DemoFleet.start(
              broker.tcpUrl(),
              settings.orgId(),
              settings.demo().publishInterval(),
              Clock.systemUTC()));
      out.println(
          "sensecap-exporter demo: metrics at "
              + settings.http().scheme()
              + "://localhost:"
              + exporter.httpPort()
              + "/metrics (broker "
              + broker.tcpUrl()
              + ", WebSocket "
              + broker.websocketUrl()
              + ")");
    } else {
      LOG.info(
          "serving "
              + settings.http().scheme()
              + "://"
              + settings.http().host()
              + ":"
              + exporter.httpPort()
              + "/metrics"
              + (settings.http().basicAuthUsers().isEmpty()
                  ? ""
                  : " (basic auth, " + settings.http().basicAuthUsers().size() + " users)"));
    }
    out.flush();
  }

  /**
   * The fleet's first readings should find the exporter subscribed, so the demo shows them at once.
   */
  private static void awaitReady(Exporter exporter) {
    long deadline = System.nanoTime() + DEMO_READY_TIMEOUT.toNanos();
    while (!exporter.isReady() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * On SIGTERM or SIGINT, or after a failed start-up: close in reverse order of start, then exit
   * with {@link #exitStatus}; after a signal that is 0, not the JVM's 143.
   */
  private static void shutDown(List<AutoCloseable> running) {
    LOG.info("shutting down");
    for (int i = running.size() - 1; i >= 0; i--) {
      try {
        running.get(i).close();
      } catch (Exception e) {
        LOG.warning("while shutting down: " + e);
      }
    }
    Runtime.getRuntime().halt(exitStatus);
  }
}
