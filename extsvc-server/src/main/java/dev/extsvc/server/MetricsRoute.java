package dev.extsvc.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * {@code GET /metrics}: the registry in the Prometheus text format (0.0.4), or OpenMetrics when the
 * scraper asks for it. The admin token guard in front of it is the console's, as for {@code /api}.
 */
final class MetricsRoute implements Handler {
  static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final PrometheusMeterRegistry registry;

  MetricsRoute(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void handle(ServerRequest req, ServerResponse res) {
    String accept = req.headers().first(HeaderNames.ACCEPT).orElse("");
    String type = accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT;
    res.header(HeaderNames.CONTENT_TYPE, type);
    res.header(HeaderNames.CACHE_CONTROL, "no-store");
    res.send(registry.scrape(type));
  }
}
