package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.extsvc.mock.CallbackAttempt;
import dev.extsvc.mock.Delivery;
import dev.extsvc.mock.KeyRule;
import dev.extsvc.mock.MockService;
import dev.extsvc.mock.ProviderFaults;
import dev.extsvc.mock.RetrySchedule;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.store.jdbc.JdbcStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider's retries end to end: the runtime answers a callback 503 while its store is briefly
 * unavailable, and the mock's retry schedule delivers it once the store is back.
 */
class MockRetryEndToEndTest {
  static final String JOBS = ProgressCallbacksTest.JOBS;

  @TempDir Path dir;
  MockService mock;
  Fixture f;

  @BeforeEach
  void reset() {
    JobHandler.reset();
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
    if (mock != null) {
      mock.close();
    }
  }

  @Test
  void aCallbackAnswered503TwiceIsDeliveredByTheMocksRetryAndCompletesTheInvocationOnce() {
    mock =
        MockService.builder(
                Registrar.defaults().register(ProgressCallbacksTest.spec(), JOBS).service())
            .callbackDelay(Duration.ofMillis(50))
            .keyRule(KeyRule.fixed("done"))
            .faults(
                ProviderFaults.NONE.withRetrySchedule(
                    RetrySchedule.parse("0ms,200ms,400ms,800ms", 1)))
            .build()
            .start();
    JdbcStore jdbc = JdbcStore.sqlite(dir.resolve("extsvc.db"));
    AtomicInteger unavailable = new AtomicInteger(2);
    // The store fails the callback's token lookup twice: the runtime answers 503, as during a
    // database failover, and keeps nothing of the callback.
    Store flaky =
        (Store)
            Proxy.newProxyInstance(
                Store.class.getClassLoader(),
                new Class<?>[] {Store.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("tokenWithInvocation")
                      && unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new StoreUnavailableException(
                        "the store is down", new java.io.IOException("down"));
                  }
                  try {
                    return method.invoke(jdbc, args);
                  } catch (InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    f =
        new Fixture(
            dir,
            jdbc,
            b -> b.store(flaky).endpoint(JOBS, mock.baseUrl()).clock(java.time.Clock.systemUTC()));
    assertThat(f.services.register(ProgressCallbacksTest.spec(), JOBS).ok()).isTrue();
    String base = "http://127.0.0.1:" + f.server.port() + "/callbacks/";
    RequestParts request =
        new RequestParts()
            .body(
                Json.readTrusted(
                    "{\"hooks\":{\"status\":\""
                        + base
                        + "\",\"alive\":\""
                        + base
                        + "\",\"done\":\""
                        + base
                        + "\"}}"));

    InvocationResult r = f.services.invoke(JOBS, "runJob", request, new JobHandler("job-1"), null);

    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                f.services.invocation(r.invocationId()).orElseThrow().status()
                    == InvocationStatus.COMPLETED);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> mock.deliveries().size() == 1);
    List<CallbackAttempt> attempts = mock.attempts();
    assertThat(attempts)
        .extracting(CallbackAttempt::attempt, CallbackAttempt::status)
        .containsExactly(tuple(1, 503), tuple(2, 503), tuple(3, 200));
    assertThat(attempts)
        .extracting(CallbackAttempt::eventId)
        .containsOnly(attempts.get(0).eventId());
    Delivery d = mock.deliveries().get(0);
    assertThat(d.attempts()).isEqualTo(3);
    assertThat(d.succeeded()).isTrue();
    assertThat(unavailable.get()).isZero();
    assertThat(JobHandler.RUNS).hasSize(1);
    assertThat(f.services.events(r.invocationId()))
        .filteredOn(e -> e.kind().name().equals("COMPLETED"))
        .hasSize(1);
  }
}
