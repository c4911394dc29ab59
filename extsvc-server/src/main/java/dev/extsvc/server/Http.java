package dev.extsvc.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/** Small helpers for JSON answers. */
final class Http {
  private Http() {}

  static void json(ServerResponse res, int status, String json) {
    res.status(status);
    res.header(HeaderNames.CONTENT_TYPE, "application/json");
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(json);
  }
}
