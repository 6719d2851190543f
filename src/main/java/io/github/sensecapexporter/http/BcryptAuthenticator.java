package io.github.sensecapexporter.http;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.github.sensecapexporter.config.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Basic auth against bcrypt hashes, as Prometheus' web config does it. Credentials are decoded as
 * UTF-8. An unknown user costs a bcrypt check too, so that timing does not tell which users exist;
 * the library compares hashes without an early return.
 */
final class BcryptAuthenticator extends BasicAuthenticator {
  static final String REALM = "sensecap-exporter";

  private final Map<String, Secret> users;
  private final String decoy;

  BcryptAuthenticator(Map<String, Secret> users) {
    super(REALM, StandardCharsets.UTF_8);
    this.users = Map.copyOf(users);
    // A hash of the same cost as a configured one, that no password matches by chance.
    String sample = this.users.values().iterator().next().reveal();
    int cost = Integer.parseInt(sample.substring(4, 6));
    this.decoy = BCrypt.hashpw(Long.toHexString(System.nanoTime()), BCrypt.gensalt(cost));
  }

  /**
   * As {@link BasicAuthenticator#authenticate} but with every malformed header (not base64, no
   * colon, another scheme) answered by 401 and the challenge, never by an exception.
   */
  @Override
  public Result authenticate(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String pair =
            new String(
                Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon >= 0) {
          String user = pair.substring(0, colon);
          if (checkCredentials(user, pair.substring(colon + 1))) {
            return new Success(new HttpPrincipal(user, REALM));
          }
        }
      } catch (IllegalArgumentException e) {
        // Not base64: the same answer as a wrong password.
      }
    }
    exchange
        .getResponseHeaders()
        .set("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
    return new Retry(401);
  }

  @Override
  public boolean checkCredentials(String user, String password) {
    Secret hash = users.get(user);
    boolean matches = check(password, hash == null ? decoy : hash.reveal());
    return hash != null && matches;
  }

  private static boolean check(String password, String hash) {
    try {
      return BCrypt.checkpw(password, hash);
    } catch (IllegalArgumentException e) {
      // A password longer than bcrypt's 72 bytes: no hash stands for it.
      return false;
    }
  }
}
