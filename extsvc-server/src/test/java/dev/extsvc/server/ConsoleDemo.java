package dev.extsvc.server;

import static dev.extsvc.server.CallbackLoopTest.APPROVED;
import static dev.extsvc.server.CallbackLoopTest.APPROVED_BODY;
import static dev.extsvc.server.CallbackLoopTest.ERROR;
import static dev.extsvc.server.CallbackLoopTest.REJECTED;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.CalloutException;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.EarlyCallbackRow;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Serves the console over sample data: the Acme spec, invocations against a stand-in bank in every
 * status, a handler failure to run again, a callback full of markup to show it escaped, and an
 * early callback held and one dead. Used by the browser test ({@code scripts/console-browser-test})
 * and for a look by hand. Arguments: [info file]; the admin token, if any, comes from
 * EXTSVC_ADMIN_TOKEN. Runs until killed.
 */
final class ConsoleDemo {
  static final String XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>";

  private final HttpClient http = HttpClient.newHttpClient();
  private final ExternalServices services;

  private ConsoleDemo(ExternalServices services) {
    this.services = services;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("extsvc-console-demo");
    TestBank bank = new TestBank();
    JdbcStore store = JdbcStore.sqlite(dir.resolve("extsvc.db"));
    int port;
    try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ExternalServices services =
        ExternalServices.builder()
            .store(store)
            .publicBaseUrl("http://127.0.0.1:" + port)
            .endpoint(Fixture.ACME, bank.url())
            .allowPrivateNetworks(true)
            .allowHandlerPackage("dev.extsvc.server")
            .sweepInterval(Duration.ofMillis(200))
            .build();
    ExtsvcServer.Builder builder = ExtsvcServer.builder(services).port(port);
    String token = System.getenv("EXTSVC_ADMIN_TOKEN");
    if (token != null && !token.isBlank()) {
      builder.adminToken(token);
    }
    ExtsvcServer server = builder.build().start();
    services.register(
        Files.readString(Path.of(args.length > 1 ? args[1] : "../examples/acme-mortgages.json")),
        null);

    Map<String, String> ids = new ConsoleDemo(services).populate(bank);
    ids.put("url", server.localUrl());
    String info = Json.write(ids);
    System.out.println("CONSOLE_DEMO " + info);
    if (args.length > 0) {
      Path file = Path.of(args[0]);
      Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), info);
      Files.move(
          file.resolveSibling(file.getFileName() + ".tmp"),
          file,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Thread.currentThread().join();
  }

  private Map<String, String> populate(TestBank bank) throws Exception {
    Map<String, String> ids = new LinkedHashMap<>();
    // Older applications first, enough for the list to have several pages, with deadlines tied in
    // groups: sorting must hold across pages.
    for (int i = 0; i < 45; i++) {
      bank.answer(201, "{\"applicationNumber\":\"A-" + (4001 + i) + "\",\"status\":\"pending\"}");
      submit("Applicant " + i, null, Duration.ofHours(20 + i % 4));
    }
    String[] names = {
      "Alice", "Bob", "Chen", "Dana", "Emeka", "Fatima", "Gina", "Hugo", "Ines", "Jun"
    };
    for (int i = 0; i < names.length; i++) {
      // each application gets its own number from the bank: the list shows it as a business value
      bank.answer(201, "{\"applicationNumber\":\"A-" + (2001 + i) + "\",\"status\":\"pending\"}");
      InvocationResult r =
          submit(
              names[i],
              new RecordingHandler(names[i], APPROVED, REJECTED),
              Duration.ofHours(2 + i));
      if (i % 3 == 0) {
        post(r.callbackUrls().get(APPROVED), APPROVED_BODY, Map.of("Idempotency-Key", "demo-" + i));
        ids.putIfAbsent("completed", r.invocationId().toString());
      } else if (i % 3 == 1) {
        post(
            r.callbackUrls().get(REJECTED),
            "{\"applicationNumber\":\"A-10"
                + i
                + "\",\"status\":\"rejected\","
                + "\"rejectionReason\":\"income too low\"}",
            Map.of());
      } else {
        ids.putIfAbsent("pending", r.invocationId().toString());
      }
    }
    // A handler that fails once: the callback is answered 500 and can be run again from the
    // console.
    InvocationResult failing =
        submit("Kofi", new RecordingHandler("Kofi", APPROVED), Duration.ofMinutes(40));
    RecordingHandler.FAILURES_LEFT.set(1);
    post(failing.callbackUrls().get(APPROVED), APPROVED_BODY, Map.of());
    ids.put("failed", failing.invocationId().toString());

    // Strangers' markup in headers and body: the console must show it as text.
    InvocationResult probe = submit("Mallory", null, Duration.ofHours(3));
    post(
        probe.callbackUrls().get(ERROR),
        "{\"applicationNumber\":\"A-666\",\"errorMessage\":" + Json.write(XSS) + "}",
        Map.of("X-Probe", XSS));
    ids.put("xss", probe.invocationId().toString());

    InvocationResult cancelled = submit("Nadia", null, Duration.ofHours(1));
    services.cancel(cancelled.invocationId(), "Customer withdrew the application");
    ids.put("cancelled", cancelled.invocationId().toString());

    InvocationResult late = submit("Oscar", null, Duration.ofSeconds(1));
    ids.put("timedOut", late.invocationId().toString());

    bank.answer(503, "{\"message\":\"maintenance window\"}");
    try {
      submit("Pia", null, Duration.ofHours(1));
    } catch (CalloutException e) {
      ids.put("calloutFailed", e.invocationId() == null ? "" : e.invocationId().toString());
    }
    bank.answer(201, "{\"applicationNumber\":\"A-1001\"}");
    InvocationResult soon = submit("Quinn", null, Duration.ofMinutes(12));
    ids.put("dueSoon", soon.invocationId().toString());

    // Pending until the browser test posts its callback while the detail page is open.
    bank.answer(201, "{\"applicationNumber\":\"A-3001\",\"status\":\"pending\"}");
    InvocationResult live =
        submit("Rosa", new RecordingHandler("Rosa", APPROVED, REJECTED), Duration.ofHours(6));
    ids.put("live", live.invocationId().toString());
    ids.put("liveCallbackUrl", live.callbackUrls().get(APPROVED));

    // Pending until the browser test posts its callback while the list is open.
    bank.answer(201, "{\"applicationNumber\":\"A-3002\",\"status\":\"pending\"}");
    InvocationResult liveList =
        submit("Sam", new RecordingHandler("Sam", APPROVED, REJECTED), Duration.ofHours(6));
    ids.put("liveList", liveList.invocationId().toString());
    ids.put("liveListCallbackUrl", liveList.callbackUrls().get(APPROVED));

    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (services
                .invocation(UUID.fromString(ids.get("timedOut")))
                .orElseThrow()
                .status()
                .isFinal()
            == false
        && System.nanoTime() < until) {
      Thread.sleep(100);
    }

    // Callbacks of a shared address (correlation) that came before any invocation held their
    // value, as the shared address stores them: one held, one dead after its hold, to replay.
    Instant now = services.clock().instant();
    ids.put(
        "earlyHeld",
        early("v3:held-demo", now.minusSeconds(30), now.plus(Duration.ofHours(1))).toString());
    ids.put(
        "earlyDead", early("v3:dead-demo", now.minusSeconds(900), now.minusSeconds(1)).toString());
    services.expireEarlyCallbacks();
    return ids;
  }

  private UUID early(String value, Instant receivedAt, Instant holdUntil) {
    return services
        .store()
        .holdEarlyCallback(
            new EarlyCallbackRow(
                UUID.randomUUID(),
                "Calls",
                "dial",
                "answered",
                value,
                receivedAt,
                "POST",
                "{\"content-type\":\"application/json\"}",
                "{\"event\":\"call.answered\",\"data\":{\"call_id\":\"" + value + "\"}}",
                "demo-" + value,
                holdUntil,
                null,
                null))
        .id();
  }

  private InvocationResult submit(String name, CallbackHandler handler, Duration timeout) {
    RequestParts input =
        RequestParts.fromJson(
            Json.readTrusted(
                "{\"body\":{\"applicant\":{\"name\":"
                    + Json.write(name)
                    + ",\"address\":\"1 Main St\"}}}"));
    return services.invoke(Fixture.ACME, "SubmitApplication", input, handler, timeout);
  }

  private void post(String url, String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    http.send(b.build(), HttpResponse.BodyHandlers.discarding());
  }
}
