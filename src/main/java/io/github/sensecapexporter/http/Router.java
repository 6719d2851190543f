package io.github.sensecapexporter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.sensecapexporter.concurrent.UncaughtExceptions;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Sends each request to the handler of its exact path. Only GET and HEAD are served: any other
 * method, TRACE included, is 405 before anything else is looked at, so that it costs no login
 * check. Open paths need no login; every other path, unknown ones included (so that a 404 tells
 * nothing to a stranger), goes through the gate when there is one.
 *
 * <p>The JDK's server catches what a handler throws, logs it where nobody looks and closes the
 * connection: so a runtime exception is reported here as an uncaught one (logged once, counted as
 * the http thread's) before it goes on to end the connection. An error goes on unreported: it ends
 * the pool's thread, whose death reports it, and would leave the connection open, so the exchange
 * is closed first.
 */
final class Router implements HttpHandler {
  private final Map<String, HttpHandler> open;
  private final Map<String, HttpHandler> guarded;
  private final Optional<AuthGate> gate;
  private final Rejections rejections;

  Router(
      Map<String, HttpHandler> open,
      Map<String, HttpHandler> guarded,
      Optional<AuthGate> gate,
      Rejections rejections) {
    this.open = Map.copyOf(open);
    this.guarded = Map.copyOf(guarded);
    this.gate = gate;
    this.rejections = rejections;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      route(exchange);
    } catch (RuntimeException e) {
      UncaughtExceptions.report(e);
      throw e;
    } catch (Error e) {
      exchange.close();
      throw e;
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      rejections.count(Rejections.Reason.METHOD_NOT_ALLOWED);
      exchange.getResponseHeaders().set("Allow", "GET, HEAD");
      Replies.text(exchange, 405, "Method not allowed: only GET and HEAD.\n");
      return;
    }
    String path = exchange.getRequestURI().getRawPath();
    HttpHandler handler = open.get(path);
    if (handler != null) {
      handler.handle(exchange);
      return;
    }
    if (gate.isPresent() && !gate.get().admits(exchange)) {
      return;
    }
    handler = guarded.get(path);
    if (handler == null) {
      rejections.count(Rejections.Reason.NOT_FOUND);
      Replies.text(exchange, 404, "Not found.\n");
    } else {
      handler.handle(exchange);
    }
  }
}
