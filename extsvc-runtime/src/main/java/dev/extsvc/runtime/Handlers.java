package dev.extsvc.runtime;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stores handlers as type + state and re-creates them. A type name read from the store is never trusted on its
 * own: it must have been allowed (registered, used in this process, or in an allowed package) and implement
 * {@link CallbackHandler}.
 */
final class Handlers {
  /** Field-based, so that a handler's state is its fields, whatever getters it has. */
  static final ObjectMapper STATE_MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
          .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
          .visibility(PropertyAccessor.CREATOR, JsonAutoDetect.Visibility.ANY)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  static final HandlerFactory JACKSON_FACTORY = (type, state) -> STATE_MAPPER.readValue(state, type);

  private final Set<String> allowedTypes = ConcurrentHashMap.newKeySet();
  private final List<String> allowedPackages;
  private final HandlerFactory factory;

  Handlers(Set<Class<? extends CallbackHandler>> types, List<String> packages, HandlerFactory factory) {
    types.forEach(t -> allowedTypes.add(t.getName()));
    this.allowedPackages = List.copyOf(packages);
    this.factory = factory;
  }

  /** The state of a handler about to be stored; its type becomes allowed in this process. */
  String stateOf(CallbackHandler handler) {
    allowedTypes.add(handler.getClass().getName());
    try {
      return STATE_MAPPER.writeValueAsString(handler);
    } catch (Exception e) {
      throw new ExtsvcException(
          "handler " + handler.getClass().getName() + " cannot be stored as JSON (its fields must be): "
              + e.getMessage(), e);
    }
  }

  CallbackHandler recreate(String typeName, String state) throws Exception {
    if (!allowed(typeName)) {
      throw new ExtsvcException("handler type " + typeName + " is not allowed; register it with the builder");
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    Class<?> raw = Class.forName(typeName, false, loader != null ? loader : Handlers.class.getClassLoader());
    if (!CallbackHandler.class.isAssignableFrom(raw)) {
      throw new ExtsvcException("stored handler type " + typeName + " is not a CallbackHandler");
    }
    return factory.create(raw.asSubclass(CallbackHandler.class), state);
  }

  private boolean allowed(String typeName) {
    if (allowedTypes.contains(typeName)) {
      return true;
    }
    return allowedPackages.stream().anyMatch(p -> typeName.startsWith(p + "."));
  }
}
