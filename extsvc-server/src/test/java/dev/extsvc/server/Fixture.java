package dev.extsvc.server;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.testing.SettableClock;
import dev.extsvc.spec.Registration;
import dev.extsvc.store.jdbc.JdbcStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * One runtime on a SQLite file, served on a free loopback port, with a test bank as its external
 * service.
 */
final class Fixture implements AutoCloseable {
  static final String ACME = "Acme Mortgages";
  static final String PAYMENTS = "Payments";

  final Path dir;

  /** The runtime test kit's clock, at the instant these tests have always started from. */
  final SettableClock clock = new SettableClock(Instant.parse("2026-03-01T10:00:00Z"));

  final TestBank bank = new TestBank();
  final JdbcStore store;
  final ExternalServices services;
  final ExtsvcServer server;
  final HttpClient http = HttpClient.newHttpClient();

  Fixture(Path dir) {
    this(dir, b -> {});
  }

  Fixture(Path dir, Consumer<ExternalServices.Builder> customizer) {
    this(dir, JdbcStore.sqlite(dir.resolve("extsvc.db")), customizer, s -> {});
  }

  Fixture(Path dir, JdbcStore store, Consumer<ExternalServices.Builder> customizer) {
    this(dir, store, customizer, s -> {});
  }

  Fixture(
      Path dir,
      Consumer<ExternalServices.Builder> customizer,
      Consumer<ExtsvcServer.Builder> serverCustomizer) {
    this(dir, JdbcStore.sqlite(dir.resolve("extsvc.db")), customizer, serverCustomizer);
  }

  Fixture(
      Path dir,
      JdbcStore store,
      Consumer<ExternalServices.Builder> customizer,
      Consumer<ExtsvcServer.Builder> serverCustomizer) {
    this.dir = dir;
    this.store = store;
    int port = freePort();
    ExternalServices.Builder b =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("http://127.0.0.1:" + port)
            .clock(clock)
            .startSweeper(false)
            .allowPrivateNetworks(true) // the test bank listens on loopback
            .endpoint(ACME, bank.url())
            .endpoint(PAYMENTS, bank.url())
            .allowHandlerPackage("dev.extsvc.server");
    customizer.accept(b);
    this.services = b.build();
    ExtsvcServer.Builder sb = ExtsvcServer.builder(services).port(port);
    serverCustomizer.accept(sb);
    this.server = sb.build().start();
  }

  static String acmeSpec() {
    try {
      return Files.readString(Path.of("../examples/acme-mortgages.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Fixture withAcme() {
    Registration r = services.register(acmeSpec(), null);
    if (!r.ok()) {
      throw new IllegalStateException("Acme spec refused: " + r.report());
    }
    return this;
  }

  HttpResponse<String> send(String method, String url, String contentType, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> postJson(String url, String body) {
    return send("POST", url, "application/json", body);
  }

  private static int freePort() {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
    services.close();
    store.close();
    bank.close();
  }
}
