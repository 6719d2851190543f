package io.github.sensecapexporter.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The repository's Dockerfile as Docker reads it: one instruction a line, continuation lines
 * joined, comments dropped, so that tests can check it and run what it runs without a Docker
 * engine.
 */
public final class Dockerfile {
  public static final Path PATH = Path.of("Dockerfile").toAbsolutePath();

  private Dockerfile() {}

  public static List<String> instructions() throws IOException {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(PATH)) {
      if (current.isEmpty() && (line.isBlank() || line.strip().startsWith("#"))) {
        continue;
      }
      boolean continues = line.endsWith("\\");
      current.append(continues ? line.substring(0, line.length() - 1) : line);
      if (!continues) {
        instructions.add(current.toString().replaceAll("\\s+", " ").strip());
        current.setLength(0);
      }
    }
    return instructions;
  }

  /** The instructions of the last stage, the image that runs. */
  public static List<String> finalStage() throws IOException {
    List<String> instructions = instructions();
    int from = 0;
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i).startsWith("FROM ")) {
        from = i;
      }
    }
    return instructions.subList(from, instructions.size());
  }

  /** The HEALTHCHECK's command, in the exec form, which runs no shell. */
  public static List<String> healthcheckCommand() throws IOException {
    String healthcheck =
        finalStage().stream()
            .filter(i -> i.startsWith("HEALTHCHECK "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no HEALTHCHECK in " + PATH));
    int cmd = healthcheck.indexOf(" CMD [");
    if (cmd < 0) {
      throw new AssertionError("HEALTHCHECK without CMD [...]: " + healthcheck);
    }
    JsonArray array = JsonParser.parseString(healthcheck.substring(cmd + 5)).getAsJsonArray();
    List<String> command = new ArrayList<>();
    array.forEach(element -> command.add(element.getAsString()));
    return command;
  }
}
