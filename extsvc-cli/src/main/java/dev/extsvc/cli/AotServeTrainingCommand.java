package dev.extsvc.cli;

import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.spec.Registrar;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The workload the launcher records the ahead-of-time cache of {@code serve} from: a real {@code
 * serve} on a scratch SQLite store in this JVM, a mock Acme bank calling back, and a few seconds of
 * {@code POST /api/invocations} from concurrent clients with the console's and the API's pages in
 * between. From JDK 25 on the cache also keeps the methods' profiles of this run: the first seconds
 * of a new server's load went faster with them, its steady state no faster (see the launcher: the
 * cache is opt-in). Hidden: only {@code ./extsvc} runs it.
 */
@Command(
    name = "aot-training-serve",
    hidden = true,
    description = "Runs serve under load on a scratch store (the launcher's AOT cache of serve).")
final class AotServeTrainingCommand implements Callable<Integer> {
  private static final String SERVICE = "Acme Mortgages";
  private static final int CLIENTS = 16;

  @Parameters(paramLabel = "DIR", description = "scratch directory, created when missing")
  Path dir;

  @Option(names = "--load", defaultValue = "20s", description = "how long to send invocations")
  Duration load;

  @Override
  public Integer call() throws Exception {
    Path spec = AotTrainingCommand.bundledSpec(dir);
    int port = Ports.free();
    String base = "http://127.0.0.1:" + port;
    AtomicInteger numbers = new AtomicInteger();
    try (MockService bank =
            MockService.builder(
                    Objects.requireNonNull(
                        Registrar.defaults().register(Files.readString(spec), null).service(),
                        "the bundled spec registers"))
                .callbackDelay(Duration.ofMillis(100))
                .keyRule(KeyRule.roundRobin())
                .answers(
                    (op, request) ->
                        Json.MAPPER
                            .createObjectNode()
                            .put("applicationNumber", "ACME-" + numbers.incrementAndGet()))
                .payloads(DemoCommand::decision)
                .build()
                .start();
        HttpClient http = HttpClient.newHttpClient()) {
      // The server's output is not for anyone: the run is there to load classes and warm methods.
      StringWriter sink = new StringWriter();
      Thread serve =
          Thread.ofPlatform()
              .name("aot-training-serve")
              .start(
                  () -> {
                    try (PrintWriter w = new PrintWriter(sink)) {
                      // its exit code says nothing the health check and the load do not
                      Main.run(
                          w,
                          w,
                          "serve",
                          "--data",
                          dir.resolve("data").toString(),
                          "--host",
                          "127.0.0.1",
                          "--port",
                          Integer.toString(port),
                          "--spec",
                          spec.toString(),
                          "--endpoint",
                          SERVICE + "=" + bank.baseUrl());
                    }
                  });
      try {
        if (!awaitHealthy(http, base + "/api/health", serve)) {
          return Main.FAILURE;
        }
        long ok = drive(http, base);
        // the bank's last callbacks are on their way: let them in before the server stops
        Thread.sleep(500);
        return ok > 0 ? 0 : Main.FAILURE;
      } finally {
        serve.interrupt();
        serve.join(Duration.ofSeconds(30));
      }
    }
  }

  private static boolean awaitHealthy(HttpClient http, String url, Thread serve)
      throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < until && serve.isAlive()) {
      try {
        if (http.send(get(url), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return true;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** Sends invocations from {@link #CLIENTS} virtual threads until the load time is up. */
  private long drive(HttpClient http, String base) throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    long until = System.nanoTime() + load.toNanos();
    List<String> pages =
        List.of(
            "/api/invocations",
            "/console",
            "/console/invocations",
            "/console/services",
            "/api/overview",
            "/api/alerts",
            "/metrics");
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      clients.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int i = 0; System.nanoTime() < until; i++) {
                      try {
                        HttpResponse<String> r =
                            http.send(
                                invocation(base, client, i), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() / 100 == 2) {
                          ok.incrementAndGet();
                        }
                        if (i % 50 == client % 50) {
                          String page = pages.get((i / 50 + client) % pages.size());
                          http.send(get(base + page), HttpResponse.BodyHandlers.discarding());
                        }
                      } catch (IOException e) {
                        return; // the server went away: nothing more to learn from this client
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                      }
                    }
                  }));
    }
    for (Thread t : clients) {
      t.join();
    }
    return ok.get();
  }

  private static HttpRequest invocation(String base, int client, int i) {
    String body =
        "{\"service\":\""
            + SERVICE
            + "\",\"operation\":\"SubmitApplication\",\"request\":{\"body\":{\"applicant\":"
            + "{\"name\":\"Applicant "
            + client
            + "-"
            + i
            + "\",\"address\":\""
            + i
            + " Main St, Springfield\"}}}}";
    return HttpRequest.newBuilder(URI.create(base + "/api/invocations"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpRequest get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
  }
}
