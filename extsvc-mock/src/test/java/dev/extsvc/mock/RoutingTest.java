package dev.extsvc.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.ResponseDefinition;
import dev.extsvc.spec.ServiceDefinition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Routing on a hand-built model: a server path prefix, path parameters, literal segments, bodiless
 * answers.
 */
class RoutingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Operation get(String id, String path, ResponseDefinition response) {
    return new Operation(
        id,
        "GET",
        path,
        "/paths/x/get",
        null,
        null,
        List.of(),
        null,
        Map.of(response.status(), response),
        List.of());
  }

  private static ServiceDefinition bank() throws Exception {
    return new ServiceDefinition(
        "Bank",
        "1",
        "3.1.0",
        List.of("https://bank.example/v1/"),
        List.of(
            get(
                "getAccount",
                "/accounts/{id}",
                new ResponseDefinition(
                    "200",
                    null,
                    "application/json",
                    JSON.readTree(
                        "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}}}"),
                    null)),
            get(
                "latestAccount",
                "/accounts/latest",
                new ResponseDefinition(
                    "2XX", null, "application/json", null, JSON.readTree("{\"id\":\"latest\"}"))),
            get("ping", "/ping", new ResponseDefinition("204", null, null, null, null))),
        "{}");
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void operationsLiveUnderTheServerPathAndMatchTheirTemplates() throws Exception {
    try (MockService mock = MockService.builder(bank()).build().start()) {
      assertThat(mock.baseUrl()).endsWith("/v1");
      String root = "http://127.0.0.1:" + mock.port();

      HttpResponse<String> account = get(mock.baseUrl() + "/accounts/a%20b");
      HttpResponse<String> latest = get(mock.baseUrl() + "/accounts/latest");
      HttpResponse<String> ping = get(mock.baseUrl() + "/ping");

      assertThat(account.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(account.body()).path("id").asText()).isEqualTo("string");
      assertThat(latest.statusCode()).isEqualTo(200);
      assertThat(latest.body()).isEqualTo("{\"id\":\"latest\"}");
      assertThat(ping.statusCode()).isEqualTo(204);
      assertThat(ping.body()).isEmpty();
      assertThat(get(root + "/accounts/1").statusCode()).isEqualTo(404);
      assertThat(get(mock.baseUrl() + "/accounts/1/").statusCode()).isEqualTo(404);
      assertThat(get(mock.baseUrl() + "/accounts").statusCode()).isEqualTo(404);
      assertThat(mock.requests().get(0).operationId()).isEqualTo("getAccount");
      assertThat(mock.requests().get(0).pathParameters()).containsExactly(Map.entry("id", "a b"));
      assertThat(mock.requests().get(1).operationId()).isEqualTo("latestAccount");
      assertThat(mock.deliveries()).isEmpty();
    }
  }

  @Test
  void theServerPrefixIsThePathOfTheFirstServer() {
    assertThat(Routes.prefix(List.of("/"))).isEmpty();
    assertThat(Routes.prefix(List.of())).isEmpty();
    assertThat(Routes.prefix(List.of("https://bank.example/v1", "/v2"))).isEqualTo("/v1");
    assertThat(Routes.prefix(List.of("/api/"))).isEqualTo("/api");
    assertThat(Routes.prefix(List.of("https://{region}.bank.example/v1"))).isEmpty();
  }
}
