package dev.extsvc.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stand-in for Acme's service: answers every callout 201 and remembers, by applicant name, the
 * approval callback URL the runtime wrote into the request (for invocations made through a node's
 * REST API, whose answer does not carry it).
 */
final class Callouts implements AutoCloseable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final WebServer server;
  private final Map<String, String> approvedUrls = new ConcurrentHashMap<>();

  Callouts() {
    server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(
                r ->
                    r.any(
                        (req, res) -> {
                          byte[] body = req.content().as(byte[].class);
                          try {
                            JsonNode json = MAPPER.readTree(body);
                            String name = json.path("applicant").path("name").asText("");
                            String url =
                                json.path("callbackUrlForOutcomes").path("approved").asText("");
                            if (!name.isEmpty() && !url.isEmpty()) {
                              approvedUrls.put(name, url);
                            }
                          } catch (java.io.IOException | RuntimeException e) {
                            // not JSON: nothing to remember
                          }
                          res.status(Status.CREATED_201);
                          res.header(HeaderNames.CONTENT_TYPE, "application/json");
                          res.send("{\"applicationNumber\":\"A-1001\"}");
                        }))
            .build()
            .start();
  }

  String url() {
    return "http://127.0.0.1:" + server.port();
  }

  String approvedUrl(String applicant) {
    return approvedUrls.getOrDefault(applicant, "");
  }

  @Override
  public void close() {
    server.stop();
  }
}
