package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.SystemTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package mvn package builds, read with Debian's dpkg-deb: its control fields, files,
 * configuration files (the service's environment file root's alone, for secrets) and maintainer
 * scripts, and its launcher run from the unpacked files. CI installs it for real (.ci/deb-install).
 */
class DebIT {
  private static final String VERSION = System.getProperty("exporter.version");
  private static final Path DEB = Path.of("target/sensecap-exporter_" + VERSION + "_all.deb");
  private static final String JAVA_HOME =
      Path.of(ProcessHandle.current().info().command().orElseThrow())
          .getParent()
          .getParent()
          .toString();

  @TempDir Path dir;

  private static String dpkgDeb(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = SystemTools.require("dpkg-deb").toString();
    System.arraycopy(args, 0, command, 1, args.length);
    SystemTools.Result result = SystemTools.run(Path.of("."), null, command);
    assertEquals(0, result.exitCode(), String.join(" ", command) + ": " + result.output());
    return result.output();
  }

  /** The control file's fields; a continued line belongs to the field before it. */
  private static Map<String, String> control() throws Exception {
    Map<String, String> fields = new LinkedHashMap<>();
    String last = null;
    for (String line : dpkgDeb("--info", DEB.toString(), "control").split("\n")) {
      if (line.startsWith(" ") && last != null) {
        fields.merge(last, "\n" + line.strip(), String::concat);
      } else if (line.contains(":")) {
        last = line.substring(0, line.indexOf(':'));
        fields.put(last, line.substring(line.indexOf(':') + 1).strip());
      }
    }
    return fields;
  }

  /** dpkg-deb --contents as path to "mode owner" and, for a link, " -> target". */
  private static Map<String, String> contents() throws Exception {
    Map<String, String> entries = new LinkedHashMap<>();
    for (String line : dpkgDeb("--contents", DEB.toString()).split("\n")) {
      String[] fields = line.split("\\s+", 6);
      String[] pathAndTarget = fields[5].split(" -> ");
      String path = pathAndTarget[0].substring(1);
      entries.put(
          path,
          fields[0]
              + " "
              + fields[1]
              + (pathAndTarget.length > 1 ? " -> " + pathAndTarget[1] : ""));
    }
    return entries;
  }

  @Test
  void namesItsVersionArchitectureAndDependencies() throws Exception {
    Map<String, String> control = control();
    assertEquals("sensecap-exporter", control.get("Package"));
    // A snapshot's version is the build time after a ~, which sorts before the release itself.
    String version = control.get("Version");
    assertTrue(
        VERSION.endsWith("-SNAPSHOT")
            ? version.matches(VERSION.replace("-SNAPSHOT", "") + "~[0-9]{14}")
            : version.equals(VERSION),
        version);
    assertEquals("all", control.get("Architecture"));
    assertEquals(
        "default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser",
        control.get("Depends"));
    assertTrue(control.get("Maintainer").matches(".+ <.+@.+>"), control.get("Maintainer"));
  }

  @Test
  void installsTheJarTheLauncherTheUnitAndTheConfiguration() throws Exception {
    Map<String, String> contents = contents();
    assertEquals(
        "-rw-r--r-- root/root",
        contents.get("/usr/share/sensecap-exporter/lib/sensecap-exporter.jar"));
    assertEquals(
        "-rwxr-xr-x root/root", contents.get("/usr/share/sensecap-exporter/bin/sensecap-exporter"));
    assertEquals(
        "lrw-r--r-- root/root -> ../share/sensecap-exporter/bin/sensecap-exporter",
        contents.get("/usr/bin/sensecap-exporter"));
    // /usr/lib, not /lib: the unit directory of Debian 12 and 13 alike, merged /usr or not.
    assertEquals(
        "-rw-r--r-- root/root", contents.get("/usr/lib/systemd/system/sensecap-exporter.service"));
    assertEquals(null, contents.get("/lib/systemd/system/sensecap-exporter.service"));
    assertEquals("-rw-r--r-- root/root", contents.get("/etc/sensecap-exporter/application.conf"));
    // The service's environment may hold secrets (the keystore's password): systemd reads it as
    // root, and nobody else can.
    assertEquals("-rw------- root/root", contents.get("/etc/default/sensecap-exporter"));
    assertEquals(
        "-rw-r--r-- root/root", contents.get("/usr/share/doc/sensecap-exporter/copyright"));
    for (Map.Entry<String, String> entry : contents.entrySet()) {
      assertTrue(entry.getValue().contains(" root/root"), entry.toString());
    }
  }

  /** dpkg keeps an administrator's changes to these across upgrades and removes them on purge. */
  @Test
  void marksTheConfigurationAsConffiles() throws Exception {
    assertEquals(
        List.of("/etc/sensecap-exporter/application.conf", "/etc/default/sensecap-exporter"),
        List.of(dpkgDeb("--info", DEB.toString(), "conffiles").strip().split("\n")));
  }

  @Test
  void shipsTheRepositorysFiles() throws Exception {
    Path root = dir.resolve("root");
    dpkgDeb("--extract", DEB.toString(), root.toString());
    Map<String, String> sources =
        Map.of(
            "usr/lib/systemd/system/sensecap-exporter.service", SystemdUnitTest.UNIT.toString(),
            "usr/share/doc/sensecap-exporter/copyright", "deploy/debian/copyright",
            "etc/sensecap-exporter/application.conf", "deploy/debian/application.conf",
            "etc/default/sensecap-exporter", "deploy/debian/default",
            "usr/share/sensecap-exporter/bin/sensecap-exporter", "bin/sensecap-exporter");
    for (Map.Entry<String, String> source : sources.entrySet()) {
      assertEquals(
          Files.readString(Path.of(source.getValue())),
          Files.readString(root.resolve(source.getKey())),
          source.getKey());
    }
  }

  /**
   * Machine-readable (DEP-5), as Debian's own copyright files are, pointing at the licence text
   * every Debian system has.
   */
  @Test
  void itsCopyrightFileIsMachineReadable() throws Exception {
    Path root = dir.resolve("root");
    dpkgDeb("--extract", DEB.toString(), root.toString());
    List<String> copyright =
        Files.readAllLines(root.resolve("usr/share/doc/sensecap-exporter/copyright"));
    assertEquals(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
        copyright.get(0));
    assertTrue(copyright.contains("Upstream-Name: sensecap-exporter"), copyright.toString());
    int files = copyright.indexOf("Files: *");
    assertTrue(files > 0, copyright.toString());
    assertTrue(copyright.get(files + 1).startsWith("Copyright: "), copyright.toString());
    assertEquals("License: Apache-2.0", copyright.get(files + 2));
    // The licence's own paragraph, after the files'.
    assertTrue(copyright.lastIndexOf("License: Apache-2.0") > files + 2, copyright.toString());
    assertTrue(
        String.join("\n", copyright).contains("\"/usr/share/common-licenses/Apache-2.0\""),
        copyright.toString());
  }

  /** The launcher follows /usr/bin's link and finds the jar in ../lib, as installed. */
  @Test
  void theUnpackedLauncherRunsThePackagedJar() throws Exception {
    Path root = dir.resolve("root");
    dpkgDeb("--extract", DEB.toString(), root.toString());
    ProcessBuilder builder =
        new ProcessBuilder(root.resolve("usr/bin/sensecap-exporter").toString(), "--version")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("output").toFile());
    builder.environment().put("JAVA_HOME", JAVA_HOME);
    builder.environment().remove("SENSECAP_EXPORTER_JAR");
    builder.environment().remove("JAVA_OPTS");
    Process process = builder.start();
    assertEquals(0, process.waitFor(), Files.readString(dir.resolve("output")));
    assertTrue(
        Files.readString(dir.resolve("output")).startsWith("sensecap-exporter " + VERSION + " "),
        Files.readString(dir.resolve("output")));
  }

  @Test
  void hasExecutableMaintainerScriptsThatParse() throws Exception {
    Path control = dir.resolve("control");
    dpkgDeb("--control", DEB.toString(), control.toString());
    for (String script : List.of("postinst", "prerm", "postrm")) {
      Path file = control.resolve(script);
      assertEquals(
          "rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), script);
      SystemTools.Result syntax = SystemTools.run(dir, null, "sh", "-n", file.toString());
      assertEquals(0, syntax.exitCode(), script + ": " + syntax.output());
    }
    String postinst = Files.readString(control.resolve("postinst"));
    assertTrue(postinst.contains("adduser --system"), postinst);
    assertTrue(postinst.contains(" sensecap-exporter\n"), postinst);
    assertTrue(
        Files.readString(control.resolve("postrm")).contains("rm -rf /var/lib/sensecap-exporter"));
  }

  /**
   * systemd-analyze verify, with ExecStart pointed at the unpacked launcher (it checks that the
   * command exists); any warning fails, not only the errors its exit code reports.
   */
  @Test
  void theUnitPassesSystemdAnalyzeVerify() throws Exception {
    Path analyze = SystemTools.require("systemd-analyze");
    Path root = dir.resolve("root");
    dpkgDeb("--extract", DEB.toString(), root.toString());
    Path unit = Files.createDirectories(dir.resolve("units")).resolve("sensecap-exporter.service");
    String installed =
        Files.readString(root.resolve("usr/lib/systemd/system/sensecap-exporter.service"));
    String launcher = "ExecStart=/usr/bin/sensecap-exporter ";
    assertTrue(installed.contains(launcher), installed);
    Files.writeString(
        unit,
        installed.replace(
            launcher, "ExecStart=" + root.resolve("usr/bin/sensecap-exporter") + " "));
    SystemTools.Result result =
        SystemTools.run(dir, null, analyze.toString(), "verify", unit.toString());
    assertEquals(0, result.exitCode(), result.output());
    assertEquals("", result.output().strip());
  }
}
