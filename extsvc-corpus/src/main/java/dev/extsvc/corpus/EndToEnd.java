package dev.extsvc.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.extsvc.mock.Delivery;
import dev.extsvc.mock.MockService;
import dev.extsvc.mock.Samples;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.credentials.ApiKey;
import dev.extsvc.runtime.credentials.BasicAuth;
import dev.extsvc.runtime.credentials.BearerToken;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.runtime.credentials.Secret;
import dev.extsvc.runtime.store.EventKind;
import dev.extsvc.runtime.store.EventRow;
import dev.extsvc.runtime.store.InvocationRow;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.server.ExtsvcServer;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Operation;
import dev.extsvc.spec.Parameter;
import dev.extsvc.spec.ParameterLocation;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.spec.SecurityScheme;
import dev.extsvc.spec.ServiceDefinition;
import dev.extsvc.spec.ServiceSecurity;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One registered document end to end, as a user would run it: the mock of its service ({@code
 * extsvc mock}) and the runtime behind the bundled server on an SQLite store ({@code extsvc
 * serve}), both in process on loopback; for every awaitable callback key of every asynchronous
 * operation, an invocation with a request made from the operation's schemas that asks the mock for
 * that key, then a wait for the invocation to complete.
 */
final class EndToEnd {
  /** How long one key's callback may take to complete its invocation (the mock sends at once). */
  static final Duration PATIENCE = Duration.ofSeconds(20);

  private EndToEnd() {}

  /** A key that was not delivered, and why. */
  record Failure(String operation, String key, String reason) {
    @Override
    public String toString() {
      return operation + "/" + key + ": " + reason;
    }
  }

  /** What the run found for one document. */
  record Result(int awaitable, int delivered, List<Failure> failures) {
    Result {
      failures = List.copyOf(failures);
    }
  }

  static Result run(ServiceDefinition service) {
    Path dir;
    try {
      dir = Files.createTempDirectory("extsvc-e2e");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Failure> failures = new ArrayList<>();
    int awaitable = 0;
    int delivered = 0;
    AtomicReference<String> publicUrl = new AtomicReference<>("http://127.0.0.1:0");
    JdbcStore store = JdbcStore.sqlite(dir.resolve("extsvc.db"));
    try (MockService mock =
        MockService.builder(service)
            .port(0)
            .callbackDelay(Duration.ZERO)
            .retryBackoff(Duration.ofMillis(100))
            .build()
            .start()) {
      // as `serve --endpoint NAME=http://host:port` writes it: no path, the spec's base path is
      // taken
      String endpoint = "http://127.0.0.1:" + mock.port();
      ExternalServices.Builder b =
          ExternalServices.builder()
              .store(store)
              .publicBaseUrl(publicUrl::get)
              .service(service.name(), s -> s.endpoint(endpoint).allowPrivateNetwork(true));
      for (Credential c : credentials(service)) {
        b.credential(c);
        b.service(service.name(), s -> s.credential(c.name()));
      }
      try (ExternalServices services = b.build()) {
        Registration registered = services.register(service.document(), service.name());
        if (!registered.ok()) {
          return new Result(
              0, 0, List.of(new Failure("-", "-", "the runtime refused the document")));
        }
        try (ExtsvcServer server =
            ExtsvcServer.builder(services).host("127.0.0.1").port(0).build().start()) {
          publicUrl.set(server.localUrl());
          Samples samples = Samples.of(service);
          for (Operation op : service.operations()) {
            for (String key : awaitableKeys(op)) {
              awaitable++;
              String problem = deliver(services, mock, samples, service, op, key);
              if (problem == null) {
                delivered++;
              } else {
                failures.add(new Failure(op.id(), key, problem));
              }
            }
          }
        }
      }
    } finally {
      store.close();
      deleteQuietly(dir);
    }
    return new Result(awaitable, delivered, failures);
  }

  static List<String> awaitableKeys(Operation op) {
    Set<String> keys = new LinkedHashSet<>();
    if (op.async()) {
      op.callbacks().stream().filter(CallbackDefinition::awaitable).forEach(c -> keys.add(c.key()));
    }
    return List.copyOf(keys);
  }

  /** Null when the key's callback completed its invocation, else why not. */
  private static @Nullable String deliver(
      ExternalServices services,
      MockService mock,
      Samples samples,
      ServiceDefinition service,
      Operation op,
      String key) {
    RequestParts request = request(samples, op);
    request.header(MockService.KEY_HEADER, key);
    int sentBefore = mock.deliveries().size();
    InvocationResult result;
    try {
      result = services.invoke(service.name(), op.id(), request, null, Duration.ofMinutes(5));
    } catch (RuntimeException e) {
      return "not invoked: " + e.getMessage();
    }
    UUID id = result.invocationId();
    long until = System.nanoTime() + PATIENCE.toNanos();
    InvocationStatus status = InvocationStatus.PENDING;
    while (System.nanoTime() < until) {
      status = services.invocation(id).map(InvocationRow::status).orElse(status);
      if (status != InvocationStatus.PENDING || mockGaveUp(mock, sentBefore, key)) {
        break;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
    }
    if (status == InvocationStatus.COMPLETED
        && services.callbacks(id).stream().anyMatch(c -> c.key().equals(key))) {
      return null;
    }
    Optional<InvocationRow> row = services.invocation(id);
    if (status == InvocationStatus.CANCELLED) {
      return "callout failed ("
          + result.statusCode()
          + "): "
          + row.map(InvocationRow::reason).orElse("");
    }
    Optional<String> rejected =
        services.events(id).stream()
            .filter(e -> e.kind() == EventKind.CALLBACK_REJECTED)
            .map(EventRow::message)
            .reduce((a, b) -> b);
    if (rejected.isPresent()) {
      return "callback refused: " + rejected.get();
    }
    Optional<Delivery> sent =
        mock.deliveries().stream()
            .filter(d -> d.key().equals(key))
            .max(Comparator.comparing(Delivery::sentAt));
    if (sent.isPresent() && !sent.get().succeeded()) {
      Delivery d = sent.get();
      return "the mock's callback failed: "
          + (d.error() != null ? d.error() : "answered " + d.status() + " " + d.answer());
    }
    return "invocation "
        + status
        + " after "
        + PATIENCE.toSeconds()
        + " s"
        + (sent.isEmpty() ? "; the mock sent no callback" : "");
  }

  /** Whether the mock's delivery of this key has ended without success (its retries are over). */
  private static boolean mockGaveUp(MockService mock, int sentBefore, String key) {
    List<Delivery> all = mock.deliveries();
    return all.subList(Math.min(sentBefore, all.size()), all.size()).stream()
        .anyMatch(d -> d.key().equals(key) && !d.succeeded());
  }

  /** A request made from the operation's schemas: parameters it requires, a JSON body. */
  static RequestParts request(Samples samples, Operation op) {
    RequestParts parts = new RequestParts();
    for (Parameter p : op.parameters()) {
      if (!p.required() && p.in() != ParameterLocation.PATH) {
        continue;
      }
      String value = text(samples.value(p.schema()));
      switch (p.in()) {
        case PATH -> parts.path().put(p.name(), value);
        case QUERY -> parts.query(p.name(), value);
        case HEADER -> parts.header(p.name(), value);
        default -> {}
      }
    }
    if (op.requestBody() != null) {
      JsonNode body = samples.value(op.requestBody().schema());
      parts.body(body.isNull() ? JsonNodeFactory.instance.objectNode() : body);
    }
    return parts;
  }

  private static String text(JsonNode value) {
    if (value.isNull() || value.isMissingNode()) {
      return "x";
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  /**
   * A made-up credential for every scheme the document declares that needs no exchange with a
   * server (an API key, HTTP basic or bearer): the mock accepts any.
   */
  static List<Credential> credentials(ServiceDefinition service) {
    List<Credential> out = new ArrayList<>();
    int n = 0;
    for (SecurityScheme s : ServiceSecurity.of(service).schemes().values()) {
      String name = "e2e" + n++;
      Secret secret = Secret.of("e2e-secret");
      String type = s.type().toLowerCase(Locale.ROOT);
      if (type.equals("apikey") && s.in() != null && s.parameterName() != null) {
        ApiKey.In in =
            switch (s.in().toLowerCase(Locale.ROOT)) {
              case "query" -> ApiKey.In.QUERY;
              case "cookie" -> ApiKey.In.COOKIE;
              default -> ApiKey.In.HEADER;
            };
        out.add(new ApiKey(name, in, s.parameterName(), secret));
      } else if (type.equals("http") && "basic".equals(s.httpScheme())) {
        out.add(new BasicAuth(name, "e2e", secret));
      } else if (type.equals("http")) {
        out.add(new BearerToken(name, secret));
      }
    }
    return out;
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a scratch folder left behind costs nothing
    }
  }
}
