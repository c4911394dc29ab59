package com.example.contacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.contacts.acme.AcmeMortgages;
import com.example.contacts.acme.Contact;
import com.example.contacts.acme.SubmitApplicationRequestBody;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.mock.Delivery;
import dev.extsvc.mock.MockService;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.store.InvocationStatus;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Scope;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The seed's story end to end: the application on a random port, the mock bank calling back. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ContactsApplicationTest {
  static final EmbeddedPostgres postgres = AcmeBank.database();
  static final MockService bank = AcmeBank.start(Duration.ofMillis(200));
  static final Duration WAIT = Duration.ofSeconds(20);

  @DynamicPropertySource
  static void world(DynamicPropertyRegistry registry) {
    AcmeBank.properties(postgres, bank).forEach((k, v) -> registry.add(k, () -> v));
  }

  @AfterAll
  static void stop() throws IOException {
    bank.close();
    postgres.close();
  }

  /** A handler that writes its Contact, then fails: nothing of it may stay. */
  static class ExplodingHandler extends AcmeMortgages.SubmitApplication.Callback {
    private final transient Contacts contacts;

    ExplodingHandler(Contacts contacts) {
      this.contacts = contacts;
    }

    @Override
    public void applicationOutcomeApproved(
        List<AcmeMortgages.SubmitApplication.ApplicationOutcomeApprovedCallback> callbacks) {
      contacts.add(new Contacts.Contact("Mallory", "nowhere", "written before the failure"));
      throw new IllegalStateException("the CRM refused the contact");
    }
  }

  @TestConfiguration
  static class Handlers {
    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    ExplodingHandler explodingHandler(Contacts contacts) {
      return new ExplodingHandler(contacts);
    }
  }

  @Autowired MortgageDesk desk;
  @Autowired Contacts contacts;
  @Autowired AcmeMortgages acme;
  @Autowired ExternalServices services;
  @Autowired ObjectProvider<ExplodingHandler> exploding;
  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void anApprovedApplicantBecomesAContactThroughTheHandlerBean() {
    UUID id = desk.submit("Ann", "1 Main Street");

    await().atMost(WAIT).until(() -> desk.status(id).orElseThrow().equals("APPROVED"));
    assertThat(contacts.all())
        .filteredOn(c -> c.name().equals("Ann"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.address()).isEqualTo("1 Main Street");
              assertThat(c.applicationNumber()).isNotBlank();
            });
    assertThat(services.invocation(id).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
    assertThat(lastAnswered("applicationOutcomeApproved").status()).isEqualTo(200);
  }

  @Test
  void aRejectionReachesTheHandlerAndCreatesNoContact() {
    UUID id = desk.submit("Rita", "2 Side Road");

    await().atMost(WAIT).until(() -> desk.status(id).orElseThrow().equals("REJECTED"));
    assertThat(contacts.all()).noneMatch(c -> c.name().equals("Rita"));
    assertThat(services.invocation(id).orElseThrow().status())
        .isEqualTo(InvocationStatus.COMPLETED);
  }

  @Test
  void anErrorCallbackReachesTheHandler() {
    UUID id = desk.submit("Eve", "3 Back Lane");

    await().atMost(WAIT).until(() -> desk.status(id).orElseThrow().equals("ERROR"));
    assertThat(contacts.all()).noneMatch(c -> c.name().equals("Eve"));
  }

  @Test
  void aHandlerThatThrowsRollsBackItsContactAndAnswers500() {
    var response =
        acme.submitApplication(
            new AcmeMortgages.SubmitApplication.Request(
                new SubmitApplicationRequestBody(new Contact("Mallory", null), null)),
            exploding.getObject(),
            Duration.ofHours(1));
    UUID id = response.invocationId();

    await().atMost(WAIT).until(() -> bank.deliveries().stream().anyMatch(d -> d.status() == 500));
    assertThat(contacts.all()).noneMatch(c -> c.name().equals("Mallory"));
    // The sender may retry: the invocation is still waiting, the failure is on record.
    assertThat(services.invocation(id).orElseThrow().status()).isEqualTo(InvocationStatus.PENDING);
    assertThat(services.callbacks(id))
        .singleElement()
        .satisfies(c -> assertThat(c.error()).contains("the CRM refused the contact"));
  }

  @Test
  void healthAndMetricsReportTheFigures() throws Exception {
    UUID id = desk.submit("Hal", "4 High Street");
    await().atMost(WAIT).until(() -> desk.status(id).orElseThrow().equals("APPROVED"));

    JsonNode health = get("/actuator/health").path("components").path("extsvc");
    assertThat(health.path("status").asText()).isEqualTo("UP");
    assertThat(health.path("details").path("store").asText()).isEqualTo("reachable");
    assertThat(health.path("details").path("sweeper").asText()).isEqualTo("alive");
    assertThat(health.path("details").path("pending").isNumber()).isTrue();
    assertThat(health.path("details").path("overdue").asInt()).isZero();

    assertThat(measurement("extsvc.callbacks?tag=code:200", "COUNT")).isGreaterThanOrEqualTo(1);
    assertThat(measurement("extsvc.invocations?tag=status:COMPLETED", "VALUE"))
        .isGreaterThanOrEqualTo(1);
    assertThat(measurement("extsvc.handler.duration?tag=outcome:handled", "COUNT"))
        .isGreaterThanOrEqualTo(1);
    assertThat(measurement("extsvc.handler.duration?tag=outcome:handled", "TOTAL_TIME"))
        .isGreaterThan(0);
    assertThat(measurement("extsvc.callback.delay?tag=key:applicationOutcomeApproved", "COUNT"))
        .isGreaterThanOrEqualTo(1);
    // The bank waits 200 ms before calling back: the delay from callout to callback is at least
    // that.
    assertThat(measurement("extsvc.callback.delay?tag=key:applicationOutcomeApproved", "MAX"))
        .isGreaterThanOrEqualTo(0.2);
  }

  /**
   * The bank's last answered delivery of that key (every approval in this class is answered the
   * same).
   */
  private Delivery lastAnswered(String key) {
    await()
        .atMost(WAIT)
        .until(
            () -> bank.deliveries().stream().anyMatch(d -> d.key().equals(key) && d.status() > 0));
    return bank.deliveries().stream()
        .filter(d -> d.key().equals(key) && d.status() > 0)
        .reduce((a, b) -> b)
        .orElseThrow();
  }

  private double measurement(String metric, String statistic) throws Exception {
    for (JsonNode m : get("/actuator/metrics/" + metric).path("measurements")) {
      if (m.path("statistic").asText().equals(statistic)) {
        return m.path("value").asDouble();
      }
    }
    throw new AssertionError(metric + " has no " + statistic);
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(path).isEqualTo(200);
    return json.readTree(answer.body());
  }
}
