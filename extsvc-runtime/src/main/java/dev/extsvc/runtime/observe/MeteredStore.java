package dev.extsvc.runtime.observe;

import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A store whose every call is timed ({@code extsvc.store.duration}, tag method) and whose failures
 * are counted ({@code extsvc.store.errors}, tags method and error: unavailable or other). A dynamic
 * proxy over the {@link Store} interface, so that a method added to the SPI is measured (and
 * reaches the store's own implementation, not the interface's default) without a change here.
 * Meters are made once per method, when the proxy is.
 */
public final class MeteredStore implements InvocationHandler {
  private record Errors(String method, String error) {}

  private final Store store;
  private final MeterRegistry registry;
  private final Map<Method, Timer> timers = new HashMap<>();
  // Registered at the first failure: a scrape then shows no column of zeros per method.
  private final Map<Errors, Counter> errors = new ConcurrentHashMap<>();

  private MeteredStore(Store store, MeterRegistry registry) {
    this.store = store;
    this.registry = registry;
    for (Method m : Store.class.getMethods()) {
      if (m.getDeclaringClass() != Object.class && !Modifier.isStatic(m.getModifiers())) {
        timers.put(
            m,
            Timer.builder("extsvc.store.duration")
                .description("Store calls")
                .tag("method", m.getName())
                .register(registry));
      }
    }
  }

  private void failed(String method, Throwable cause) {
    errors
        .computeIfAbsent(
            new Errors(
                method, cause instanceof StoreUnavailableException ? "unavailable" : "other"),
            e ->
                Counter.builder("extsvc.store.errors")
                    .description("Store calls that failed: the store unavailable, or another error")
                    .tags("method", e.method(), "error", e.error())
                    .register(registry))
        .increment();
  }

  /** The store, measured in {@code registry}. */
  public static Store of(Store store, MeterRegistry registry) {
    return (Store)
        Proxy.newProxyInstance(
            Store.class.getClassLoader(),
            new Class<?>[] {Store.class},
            new MeteredStore(store, registry));
  }

  @Override
  public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args)
      throws Throwable {
    Timer timer = timers.get(method);
    if (timer == null) { // equals, hashCode, toString
      return method.getName().equals("equals")
          ? Boolean.valueOf(args != null && proxy == args[0])
          : method.invoke(store, args);
    }
    long started = System.nanoTime();
    try {
      return method.invoke(store, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      failed(method.getName(), cause);
      throw cause;
    } finally {
      timer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
  }
}
