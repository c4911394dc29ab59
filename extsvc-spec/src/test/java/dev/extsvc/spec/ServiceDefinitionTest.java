package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceDefinitionTest {
  static ServiceDefinition servedAt(String... servers) {
    return new ServiceDefinition("Bank", "1", "3.1.0", List.of(servers), List.of(), "{}");
  }

  @Test
  void theBasePathIsThePathOfTheFirstServerUrl() {
    assertThat(servedAt("https://bank.example/v1/", "/v2").basePath()).isEqualTo("/v1");
    assertThat(servedAt("/api").basePath()).isEqualTo("/api");
    assertThat(servedAt("/").basePath()).isEmpty();
    assertThat(servedAt("https://bank.example").basePath()).isEmpty();
    assertThat(servedAt().basePath()).isEmpty();
    assertThat(servedAt("https://{region}.bank.example/v1").basePath()).isEmpty();
  }

  @Test
  void anEndpointWithoutAPathTakesTheBasePath() {
    ServiceDefinition api = servedAt("https://bank.example/api?x=1");

    assertThat(api.endpointFor("http://127.0.0.1:9090")).isEqualTo("http://127.0.0.1:9090/api");
    assertThat(api.endpointFor("http://127.0.0.1:9090/")).isEqualTo("http://127.0.0.1:9090/api");
  }

  @Test
  void anEndpointWithAPathIsKeptAsGiven() {
    ServiceDefinition api = servedAt("/api");

    assertThat(api.endpointFor("http://127.0.0.1:9090/bank/"))
        .isEqualTo("http://127.0.0.1:9090/bank");
    assertThat(servedAt("/").endpointFor("http://h:1")).isEqualTo("http://h:1");
  }
}
