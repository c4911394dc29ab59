package com.example.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.mock.MockService;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.InvocationStatus;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application is closed while Acme is still deciding, and started again on the same database:
 * Acme's callback then reaches a handler bean of the new application context, with the state stored
 * by the old one.
 */
class RestartTest {
  // The bank would call back only in an hour: the test delivers Acme's decision itself, after the
  // restart.
  static final MockService bank = AcmeBank.start(Duration.ofHours(1));
  static final EmbeddedPostgres postgres = AcmeBank.database();

  @AfterAll
  static void stop() throws Exception {
    bank.close();
    postgres.close();
  }

  @Test
  void aPendingInvocationsCallbackReachesTheBeanHandlerAfterARestart() throws Exception {
    Map<String, Object> properties = AcmeBank.properties(postgres, bank);
    UUID id;
    String approvedUrl;
    int port;
    try (ConfigurableApplicationContext first = start(properties, 0)) {
      port = Integer.parseInt(first.getEnvironment().getProperty("local.server.port"));
      id = first.getBean(MortgageDesk.class).submit("Ann", "1 Main Street");
      String sent = bank.requests().getLast().body();
      approvedUrl =
          new ObjectMapper()
              .readTree(sent)
              .path("callbackUrlForOutcomes")
              .path("approved")
              .asText();
      assertThat(approvedUrl).startsWith("http://127.0.0.1:" + port + "/callbacks/");
    }

    try (ConfigurableApplicationContext second = start(properties, port)) {
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(approvedUrl))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"applicationNumber\":\"A-7\",\"status\":\"approved\",\"approvedAmount\":250000}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(second.getBean(Contacts.class).all())
          .containsExactly(new Contacts.Contact("Ann", "1 Main Street", "A-7"));
      assertThat(second.getBean(MortgageDesk.class).status(id)).contains("APPROVED");
      assertThat(second.getBean(ExternalServices.class).invocation(id).orElseThrow().status())
          .isEqualTo(InvocationStatus.COMPLETED);
    }
  }

  private static ConfigurableApplicationContext start(Map<String, Object> properties, int port) {
    // As command-line arguments: default properties would lose to application.yaml.
    var arguments = new java.util.ArrayList<String>();
    properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
    arguments.add("--server.port=" + port);
    arguments.add("--server.address=127.0.0.1");
    return new SpringApplicationBuilder(ContactsApplication.class)
        .run(arguments.toArray(String[]::new));
  }
}
