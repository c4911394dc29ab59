package dev.extsvc.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.testing.Callbacks;
import dev.extsvc.runtime.testing.InMemoryStore;
import dev.extsvc.runtime.testing.LoopbackService;
import dev.extsvc.runtime.testing.SettableClock;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One runtime as the tests of this package use it: on an {@link InMemoryStore}, a {@link
 * SettableClock} and a {@link LoopbackService} standing in for Acme's bank; no web server
 * (callbacks go straight to the receiver), no background threads (tests call {@code sweepNow()} and
 * {@code processDueCallbacks()}).
 */
final class RuntimeFixture implements AutoCloseable {
  static final String ACME = "Acme Mortgages";

  /** Services of the tests' own small specs; like Acme, their endpoint is the bank stand-in. */
  static final List<String> OTHER_SERVICES = List.of("Shipments", "Hooks", "Secured", "Quotes");

  static final String SUBMIT = "SubmitApplication";
  static final String APPROVED = "applicationOutcomeApproved";
  static final String REJECTED = "applicationOutcomeRejected";
  static final String ERROR = "applicationError";
  static final String APPROVED_BODY =
      "{\"applicationNumber\":\"A-1001\",\"status\":\"approved\",\"approvedAmount\":350000}";
  static final String REJECTED_BODY =
      "{\"applicationNumber\":\"A-1001\",\"errorMessage\":\"income too low\"}";
  static final String BASE_URL = "https://hooks.example.test";
  static final ObjectMapper JSON = new ObjectMapper();

  final SettableClock clock = new SettableClock();
  final InMemoryStore store;
  final LoopbackService bank = new LoopbackService();
  ExternalServices services;
  private final Consumer<ExternalServices.Builder> customizer;

  RuntimeFixture() {
    this(b -> {});
  }

  RuntimeFixture(Consumer<ExternalServices.Builder> customizer) {
    this(new InMemoryStore(), customizer);
  }

  RuntimeFixture(InMemoryStore store, Consumer<ExternalServices.Builder> customizer) {
    this.store = store;
    this.customizer = customizer;
    this.services = build(store, customizer);
  }

  /**
   * The builder every runtime of the fixture starts from; {@code customizer} goes last and may
   * change anything.
   */
  ExternalServices.Builder builder(InMemoryStore on) {
    return ExternalServices.builder()
        .store(on)
        .publicBaseUrl(BASE_URL)
        .clock(clock)
        .startSweeper(false)
        .allowPrivateNetworks(true) // the bank stand-in listens on loopback
        .endpoint(ACME, bank.url())
        .endpoint(OTHER_SERVICES.get(0), bank.url())
        .endpoint(OTHER_SERVICES.get(1), bank.url())
        .endpoint(OTHER_SERVICES.get(2), bank.url())
        .endpoint(OTHER_SERVICES.get(3), bank.url())
        .allowHandlerPackage("dev.extsvc.runtime");
  }

  private ExternalServices build(InMemoryStore on, Consumer<ExternalServices.Builder> extra) {
    ExternalServices.Builder b = builder(on);
    extra.accept(b);
    return b.build();
  }

  /**
   * As if the process restarted: closes this runtime and builds a new one on the same data
   * (services registered earlier are loaded back from it), with the fixture's settings and then
   * {@code extra}.
   */
  ExternalServices restart(Consumer<ExternalServices.Builder> extra) {
    services.close();
    services = build(store.reopen(), customizer.andThen(extra));
    return services;
  }

  static String acmeSpec() {
    try {
      return Files.readString(Path.of("../examples/acme-mortgages.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  RuntimeFixture withAcme() {
    return register(acmeSpec(), null);
  }

  RuntimeFixture register(String document, String name) {
    Registration r = services.register(document, name);
    if (!r.ok()) {
      throw new IllegalStateException("spec refused: " + r.report());
    }
    return this;
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static RequestParts application(String applicant) {
    return new RequestParts().body(json("{\"applicant\":{\"name\":\"" + applicant + "\"}}"));
  }

  InvocationResult submit(CallbackHandler handler) {
    return submit(handler, null);
  }

  InvocationResult submit(CallbackHandler handler, Duration timeout) {
    return services.invoke(ACME, SUBMIT, application("Alice"), handler, timeout);
  }

  CallbackResponse post(String url, String body) {
    return services.receiver().handle(Callbacks.post(url, body));
  }

  CallbackResponse approve(InvocationResult result) {
    return post(result.callbackUrls().get(APPROVED), APPROVED_BODY);
  }

  InvocationRow invocation(UUID id) {
    return services.invocation(id).orElseThrow();
  }

  InvocationStatus status(UUID id) {
    return invocation(id).status();
  }

  /** The invocation's event kinds, oldest first (as text, whatever type the kind has). */
  List<String> kinds(UUID id) {
    return services.events(id).stream().map(e -> String.valueOf(e.kind())).toList();
  }

  List<String> messages(UUID id) {
    return services.events(id).stream().map(EventRow::message).toList();
  }

  /** The token in a callback URL: what follows "/callbacks/" up to any suffix. */
  static String tokenOf(String url) {
    String rest = url.substring(url.indexOf("/callbacks/") + "/callbacks/".length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  @Override
  public void close() {
    services.close();
    bank.close();
  }
}
