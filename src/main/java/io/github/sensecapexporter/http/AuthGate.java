package io.github.sensecapexporter.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Basic auth in front of a handler: a request with a valid login goes on; any other is answered 401
 * with the challenge (no header, another scheme, not base64, no colon, a wrong password), or 429
 * when checking it would have to wait for bcrypt longer, or behind more checks, than allowed.
 * Credentials are decoded as UTF-8.
 */
final class AuthGate {
  private static final String REALM = "sensecap-exporter";

  private final BcryptCredentials credentials;
  private final Rejections rejections;

  AuthGate(BcryptCredentials credentials, Rejections rejections) {
    this.credentials = credentials;
    this.rejections = rejections;
  }

  /** Whether the request may go on; when it may not, it has been answered. */
  boolean admits(HttpExchange exchange) throws IOException {
    BcryptCredentials.Verdict verdict =
        verdict(
            exchange.getRequestHeaders().getFirst("Authorization"),
            exchange.getRemoteAddress().getAddress());
    switch (verdict) {
      case ALLOWED -> {
        return true;
      }
      case BUSY -> {
        rejections.count(Rejections.Reason.LOGIN_BUSY);
        // Not how long bcrypt stays busy (at cost 13 and above one check alone takes a second or
        // more), but a pause that costs a scraper little before it tries again.
        exchange.getResponseHeaders().set("Retry-After", "1");
        Replies.text(exchange, 429, "Too many logins being checked; try again.\n");
        return false;
      }
      default -> {
        rejections.count(Rejections.Reason.UNAUTHORIZED);
        exchange
            .getResponseHeaders()
            .set("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        Replies.text(exchange, 401, "Unauthorized.\n");
        return false;
      }
    }
  }

  private BcryptCredentials.Verdict verdict(String header, Object client) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return BcryptCredentials.Verdict.DENIED;
    }
    String pair;
    try {
      pair =
          new String(
              Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return BcryptCredentials.Verdict.DENIED; // not base64: the same answer as a wrong password
    }
    int colon = pair.indexOf(':');
    return colon < 0
        ? BcryptCredentials.Verdict.DENIED
        : credentials.check(pair.substring(0, colon), pair.substring(colon + 1), client);
  }
}
