package dev.extsvc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A small client of the server's REST API for the CLI; sends {@code $EXTSVC_ADMIN_TOKEN} as the
 * bearer token when it is set (a server beyond loopback requires it).
 */
final class ApiClient {
  private final String server;
  private final @Nullable String adminToken;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ApiClient(String server) {
    this(server, System.getenv("EXTSVC_ADMIN_TOKEN"));
  }

  ApiClient(String server, @Nullable String adminToken) {
    this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    this.adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken.strip();
  }

  record Answer(int status, String body) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        return Json.MAPPER.createObjectNode().put("message", body);
      }
    }
  }

  Answer get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(server + path)).GET());
  }

  Answer post(String path, String json) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(server + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private Answer send(HttpRequest.Builder b) throws IOException, InterruptedException {
    if (adminToken != null) {
      b.header("Authorization", "Bearer " + adminToken);
    }
    try {
      HttpResponse<String> r =
          http.send(
              b.timeout(Duration.ofSeconds(150)).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (ConnectException e) {
      throw new IOException(
          "cannot reach the server at " + server + " (is `extsvc serve` running?)", e);
    }
  }
}
