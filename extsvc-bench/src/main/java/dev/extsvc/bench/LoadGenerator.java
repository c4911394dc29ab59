package dev.extsvc.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * A closed loop on loopback: a fixed number of virtual threads, each sending one request and
 * waiting for its answer before the next, so that "in flight" is exact. Bounded twice: by the list
 * of requests and by a time limit, after which no new request starts.
 */
final class LoadGenerator {
  /** Latencies up to a minute, in microseconds, three significant digits. */
  private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);

  record Shot(URI uri, String body) {}

  record Result(
      int planned,
      int sent,
      int ok,
      int errors,
      Map<Integer, Integer> statuses,
      Duration elapsed,
      Histogram micros) {
    double perSecond() {
      return sent / (elapsed.toNanos() / 1e9);
    }

    double millisAt(double percentile) {
      return micros.getValueAtPercentile(percentile) / 1000.0;
    }

    boolean complete() {
      return sent == planned && ok == planned;
    }
  }

  private final HttpClient client;
  private final int concurrency;
  private final Duration limit;

  LoadGenerator(HttpClient client, int concurrency, Duration limit) {
    this.client = client;
    this.concurrency = concurrency;
    this.limit = limit;
  }

  static HttpClient newClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * One call of a closed loop: the i-th request, answering its HTTP status; an exception counts as
   * an error.
   */
  interface Call {
    int call(int i) throws Exception;
  }

  /** Sends every shot (POST, JSON) unless the time limit comes first; 2xx counts as ok. */
  Result run(List<Shot> shots) {
    return run(
        shots.size(),
        i -> {
          Shot shot = shots.get(i);
          HttpRequest request =
              HttpRequest.newBuilder(shot.uri())
                  .timeout(Duration.ofSeconds(30))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(shot.body()))
                  .build();
          return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        });
  }

  /** Makes {@code count} calls unless the time limit comes first. */
  Result run(int count, Call call) {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    Histogram all = new Histogram(MAX_MICROS, 3);
    long started = System.nanoTime();
    long deadline = started + limit.toNanos();
    try (var workers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < concurrency; w++) {
        workers.submit(
            () -> {
              Histogram mine = new Histogram(MAX_MICROS, 3);
              int i;
              while ((i = next.getAndIncrement()) < count && System.nanoTime() < deadline) {
                long t0 = System.nanoTime();
                try {
                  int status = call.call(i);
                  mine.recordValue(Math.min(MAX_MICROS, (System.nanoTime() - t0) / 1000));
                  statuses.merge(status, 1, Integer::sum);
                  if (status / 100 == 2) {
                    ok.incrementAndGet();
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  break;
                } catch (Exception e) {
                  if (errors.incrementAndGet() == 1) {
                    System.err.println("first error of the run: " + e);
                  }
                }
                sent.incrementAndGet();
              }
              synchronized (all) {
                all.add(mine);
              }
              return null;
            });
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    return new Result(
        count, sent.get(), ok.get(), errors.get(), new TreeMap<>(statuses), elapsed, all);
  }
}
