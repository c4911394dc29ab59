package dev.extsvc.runtime;

import dev.extsvc.runtime.store.Store;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@link Store} for tests of one stage: answers the methods given, records every call, and gives
 * empty answers (no rows, false, nothing) to the rest. Stages are tested against the store calls
 * they make.
 */
public final class StoreStub {
  /** One call the stage made: the method's name and its arguments. */
  public record Call(String method, List<Object> args) {}

  private final Map<String, Function<Object[], Object>> answers = new HashMap<>();
  private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

  /**
   * Answers calls of the named method (by name: the store's methods that matter here are not
   * overloaded).
   */
  public StoreStub answer(String method, Function<Object[], Object> answer) {
    answers.put(method, answer);
    return this;
  }

  /** Every call so far, in order. */
  public List<Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  public List<Call> calls(String method) {
    synchronized (calls) {
      return calls.stream().filter(c -> c.method().equals(method)).toList();
    }
  }

  public Store store() {
    return (Store)
        Proxy.newProxyInstance(
            Store.class.getClassLoader(),
            new Class<?>[] {Store.class},
            (proxy, method, args) -> {
              Object[] a = args == null ? new Object[0] : args;
              calls.add(new Call(method.getName(), java.util.Arrays.asList(a)));
              Function<Object[], Object> answer = answers.get(method.getName());
              if (answer != null) {
                return answer.apply(a);
              }
              if (method.isDefault()) {
                return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, a);
              }
              Class<?> type = method.getReturnType();
              if (type == List.class) {
                return List.of();
              }
              if (type == Map.class) {
                return Map.of();
              }
              if (type == Optional.class) {
                return Optional.empty();
              }
              if (type == boolean.class) {
                return false;
              }
              if (type == int.class) {
                return 0;
              }
              if (type == void.class) {
                return null;
              }
              throw new UnsupportedOperationException(
                  "StoreStub: no answer for " + method.getName());
            });
  }
}
