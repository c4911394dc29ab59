package dev.extsvc.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Callback senders as a real external service behaves: each delivery is retried until it gets a 2xx
 * (after a connection failure, a 5xx or a 503 with Retry-After), and a 4xx ends it. While
 * duplicates are on, a sender with nothing new to deliver sends again one that was already answered
 * 2xx, as at-least-once senders do.
 */
final class FaultSenders implements AutoCloseable {
  /** Retry-After is honoured up to this long, so the suite does not idle for the server's 5 s. */
  static final long MAX_RETRY_PAUSE_MS = 500;

  private final List<String> urls;
  private final Queue<Integer> undelivered = new ConcurrentLinkedQueue<>();
  private final boolean[] acked;
  private final AtomicInteger ackedCount = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private volatile boolean duplicates = true;
  private volatile boolean outage;

  final LongAdder attempts = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder duplicatesSent = new LongAdder();
  final Map<Integer, LongAdder> answers =
      new ConcurrentHashMap<>(); // -1: no answer (connection failed)
  final Map<Integer, LongAdder> outageAnswers = new ConcurrentHashMap<>();
  final LongAdder outage503WithoutRetryAfter = new LongAdder();
  final List<String> refused = new CopyOnWriteArrayList<>();
  final AtomicLong lastAckNanos = new AtomicLong();

  FaultSenders(List<String> urls, int senders) {
    this.urls = urls;
    this.acked = new boolean[urls.size()];
    for (int i = 0; i < urls.size(); i++) {
      undelivered.add(i);
    }
    for (int s = 0; s < senders; s++) {
      threads.add(Thread.ofVirtual().name("fault-sender-" + s).start(this::loop));
    }
  }

  void duplicates(boolean on) {
    duplicates = on;
  }

  void outage(boolean on) {
    outage = on;
  }

  int acked() {
    return ackedCount.get();
  }

  boolean allDelivered() {
    return ackedCount.get() == urls.size() && inFlight.get() == 0;
  }

  private void loop() {
    while (running.get()) {
      Integer next = undelivered.poll();
      boolean duplicate = false;
      if (next == null) {
        if (!duplicates || ackedCount.get() == 0) {
          pause(50);
          continue;
        }
        next = pickAcked();
        duplicate = true;
      }
      inFlight.incrementAndGet();
      try {
        deliver(next, duplicate);
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  private int pickAcked() {
    while (true) {
      int i = ThreadLocalRandom.current().nextInt(urls.size());
      synchronized (acked) {
        if (acked[i]) {
          return i;
        }
      }
    }
  }

  /** Sends one callback until it is answered 2xx or 4xx (or the senders stop). */
  private void deliver(int i, boolean duplicate) {
    if (duplicate) {
      duplicatesSent.increment();
    }
    boolean first = true;
    while (running.get()) {
      if (!first) {
        retries.increment();
      }
      first = false;
      attempts.increment();
      boolean duringOutage = outage;
      int status;
      long pause;
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(urls.get(i)))
                    .timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Specs.APPROVED_BODY))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        status = r.statusCode();
        pause =
            r.headers()
                .firstValue("Retry-After")
                .map(v -> Math.min(MAX_RETRY_PAUSE_MS, Long.parseLong(v) * 1000))
                .orElse(100L);
        if (duringOutage
            && outage
            && status == 503
            && r.headers().firstValue("Retry-After").isEmpty()) {
          outage503WithoutRetryAfter.increment();
        }
      } catch (IOException e) {
        status = -1;
        pause = 100;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      answers.computeIfAbsent(status, k -> new LongAdder()).increment();
      if (duringOutage && outage) {
        outageAnswers.computeIfAbsent(status, k -> new LongAdder()).increment();
      }
      if (status >= 200 && status < 300) {
        synchronized (acked) {
          if (!acked[i]) {
            acked[i] = true;
            ackedCount.incrementAndGet();
          }
        }
        lastAckNanos.set(System.nanoTime());
        return;
      }
      if (status >= 400 && status < 500) {
        refused.add("callback " + i + (duplicate ? " (duplicate)" : "") + " answered " + status);
        return;
      }
      pause(pause);
    }
    if (!duplicate) {
      undelivered.add(i); // stopped before it was delivered
    }
  }

  Map<Integer, Long> answersByStatus() {
    return sorted(answers);
  }

  Map<Integer, Long> outageAnswersByStatus() {
    return sorted(outageAnswers);
  }

  private static Map<Integer, Long> sorted(Map<Integer, LongAdder> counts) {
    Map<Integer, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running.set(false);
    for (Thread t : threads) {
      t.interrupt();
    }
    for (Thread t : threads) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    http.close();
  }
}
