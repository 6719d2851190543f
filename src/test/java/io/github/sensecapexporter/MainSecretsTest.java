package io.github.sensecapexporter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sensecapexporter.testing.FakeSenseCapApi;
import io.github.sensecapexporter.testing.TestSettings;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the log masks, whatever a message or an uncaught exception quotes. */
class MainSecretsTest {
  @Test
  void theApisAuthorizationHeaderIsASecretAsMuchAsTheKey() {
    List<String> secrets =
        Main.secrets(
            TestSettings.forBroker(
                "tcp://127.0.0.1:1",
                "sensecap.api.access-id",
                FakeSenseCapApi.ACCESS_ID,
                "sensecap.access-key",
                FakeSenseCapApi.ACCESS_KEY));
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (FakeSenseCapApi.ACCESS_ID + ":" + FakeSenseCapApi.ACCESS_KEY)
                    .getBytes(StandardCharsets.UTF_8));
    assertTrue(secrets.contains(FakeSenseCapApi.ACCESS_KEY), secrets.toString());
    assertTrue(secrets.contains(basic), "the Base64 of id:key, which decodes to the key");
  }
}
