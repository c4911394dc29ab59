package dev.extsvc.bench.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Callback senders as real ones behave behind a load balancer: every attempt goes to a node chosen
 * at random (dead and paused ones included: a balancer finds out late), a connection failure, a
 * timeout or a 5xx is retried (honouring Retry-After up to 1 s), a 2xx ends the delivery, and so
 * does a 4xx (a sender takes it as "stop sending"), which the suite counts as a refusal.
 */
final class Senders implements AutoCloseable {
  /** One callback to deliver; {@code notTo} is a node it must not be sent to ("" for none). */
  record Delivery(int index, UUID invocationId, String path, String notTo) {}

  /** How a delivery ended: 2xx, 4xx, or not at all (the suite stopped first). */
  record Outcome(Delivery delivery, int status, String node, long attempts) {}

  private static final String BODY =
      "{\"applicationNumber\":\"A-1001\",\"status\":\"approved\",\"approvedAmount\":350000}";

  private final List<Node> nodes;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
  final Map<Integer, LongAdder> answers = new ConcurrentHashMap<>(); // -1: no answer
  final LongAdder attempts = new LongAdder();

  private volatile @Nullable String watched;
  private final Map<String, LongAdder> watchedAnswers = new ConcurrentHashMap<>();

  /** From now on, counts the answers of this node by status and Retry-After. */
  void watch(String node) {
    watchedAnswers.clear();
    watched = node;
  }

  void unwatch() {
    watched = null;
  }

  /** The watched node's answers, "status [Retry-After s]" = count. */
  Map<String, Long> watched() {
    Map<String, Long> out = new TreeMap<>();
    watchedAnswers.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  Senders(List<Node> nodes) {
    this.nodes = nodes;
  }

  /** Starts delivering one callback on a virtual thread of its own. */
  void send(Delivery d) {
    inFlight.incrementAndGet();
    threads.add(
        Thread.ofVirtual()
            .name("sender-" + d.index())
            .start(
                () -> {
                  try {
                    deliver(d);
                  } finally {
                    inFlight.decrementAndGet();
                  }
                }));
  }

  int inFlight() {
    return inFlight.get();
  }

  private void deliver(Delivery d) {
    long tries = 0;
    while (running.get()) {
      List<Node> candidates = nodes.stream().filter(n -> !n.name.equals(d.notTo())).toList();
      Node node = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
      tries++;
      attempts.increment();
      int status;
      long pause = 200;
      HttpResponse<String> answer = null;
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(node.url() + d.path()))
                    .timeout(Duration.ofSeconds(15))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(BODY))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        status = r.statusCode();
        answer = r;
        pause =
            r.headers()
                .firstValue("Retry-After")
                .map(v -> Math.min(1000L, parseSeconds(v) * 1000))
                .orElse(200L);
      } catch (IOException e) {
        status = -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      answers.computeIfAbsent(status, k -> new LongAdder()).increment();
      if (node.name.equals(watched)) {
        String retryAfter = "";
        if (answer != null) {
          retryAfter =
              answer.headers().firstValue("Retry-After").map(v -> " Retry-After " + v).orElse("");
        }
        watchedAnswers.computeIfAbsent(status + retryAfter, k -> new LongAdder()).increment();
      }
      if ((status >= 200 && status < 300) || (status >= 400 && status < 500)) {
        outcomes.add(new Outcome(d, status, node.name, tries));
        return;
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    outcomes.add(new Outcome(d, 0, "", tries));
  }

  private static long parseSeconds(String v) {
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  Map<Integer, Long> answersByStatus() {
    Map<Integer, Long> out = new TreeMap<>();
    answers.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  @Override
  public void close() {
    running.set(false);
    for (Thread t : threads) {
      t.interrupt();
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
