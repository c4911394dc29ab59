package dev.extsvc.runtime.process;

import com.fasterxml.jackson.databind.ObjectReader;
import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.HandlerFactory;
import dev.extsvc.runtime.support.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stores handlers as type + state and re-creates them. A type name read from the store is never
 * trusted on its own: it must have been allowed (registered, used in this process, or in an allowed
 * package) and implement {@link CallbackHandler}. On a cluster, allow the types by configuration on
 * every node: another node may have made the invocation. Built once by the builder; invoking stores
 * through {@link #stateOf}, processing and the sweeper re-create through {@link #recreate}.
 */
public final class Handlers {
  /** The default factory: the stored state read with Jackson into a new instance. */
  public static final HandlerFactory JACKSON_FACTORY =
      (type, state) -> Readers.FOR_TYPE.get(type).readValue(state);

  /**
   * A reader per handler type, made once: the sweeper re-creates thousands of handlers of one type
   * in a batch, and a reader made per call looks its deserializer up every time.
   */
  private static final class Readers {
    static final ClassValue<ObjectReader> FOR_TYPE =
        new ClassValue<>() {
          @Override
          protected ObjectReader computeValue(Class<?> type) {
            return Json.HANDLER_STATE.readerFor(type);
          }
        };

    private Readers() {}
  }

  /**
   * A type already resolved, with the class loader it was resolved through: a thread with another
   * context class loader resolves again.
   */
  private record Resolved(ClassLoader loader, Class<? extends CallbackHandler> type) {}

  private final Set<String> allowedTypes = ConcurrentHashMap.newKeySet();
  private final List<String> allowedPackages;
  private final HandlerFactory factory;

  /**
   * Allowed handler types resolved by name: {@link #recreate} is called per timed-out invocation
   * and per callback, and a class lookup by name each time costs more than the state it reads. Only
   * types that passed the checks are kept, and a type stays allowed once it is.
   */
  private final Map<String, Resolved> resolved = new ConcurrentHashMap<>();

  public Handlers(
      Set<Class<? extends CallbackHandler>> types, List<String> packages, HandlerFactory factory) {
    this(types, Set.of(), packages, factory);
  }

  /**
   * @param typeNames binary names of more allowed types (from configuration: not loaded here)
   * @param packages allowed packages (their sub-packages too)
   */
  public Handlers(
      Set<Class<? extends CallbackHandler>> types,
      Set<String> typeNames,
      List<String> packages,
      HandlerFactory factory) {
    types.forEach(t -> allowedTypes.add(t.getName()));
    allowedTypes.addAll(typeNames);
    this.allowedPackages = List.copyOf(packages);
    this.factory = factory;
  }

  /** The state of a handler about to be stored; its type becomes allowed in this process. */
  public String stateOf(CallbackHandler handler) {
    allowedTypes.add(handler.getClass().getName());
    try {
      return Json.HANDLER_STATE.writeValueAsString(handler);
    } catch (Exception e) {
      throw new ExtsvcException(
          "handler "
              + handler.getClass().getName()
              + " cannot be stored as JSON (its fields must be): "
              + e.getMessage(),
          e);
    }
  }

  /** Re-creates a stored handler, when its type is allowed and is a handler. */
  public CallbackHandler recreate(String typeName, String state) throws Exception {
    if (!allowed(typeName)) {
      throw new ExtsvcException(
          "handler type "
              + typeName
              + " is not allowed on this node (a type is allowed by itself only in the process"
              + " that invoked with it); allow it on every node: handlers.allowedTypes or"
              + " handlers.allowedPackages in extsvc.yaml, or the runtime builder's"
              + " allowHandlerType / handlerType / allowHandlerPackage");
    }
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    ClassLoader loader = context != null ? context : Handlers.class.getClassLoader();
    Resolved known = resolved.get(typeName);
    if (known == null || known.loader() != loader) {
      Class<?> raw = Class.forName(typeName, false, loader);
      if (!CallbackHandler.class.isAssignableFrom(raw)) {
        throw new ExtsvcException("stored handler type " + typeName + " is not a CallbackHandler");
      }
      known = new Resolved(loader, raw.asSubclass(CallbackHandler.class));
      resolved.put(typeName, known);
    }
    return factory.create(known.type(), state);
  }

  private boolean allowed(String typeName) {
    if (allowedTypes.contains(typeName)) {
      return true;
    }
    return allowedPackages.stream().anyMatch(p -> typeName.startsWith(p + "."));
  }
}
