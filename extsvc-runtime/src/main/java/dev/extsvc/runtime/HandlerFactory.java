package dev.extsvc.runtime;

/**
 * Re-creates a stored handler from its type and state. The default reads the state with Jackson
 * into a new instance; a DI container supplies its own to inject dependencies. Only types the
 * runtime allows are passed here.
 */
@FunctionalInterface
public interface HandlerFactory {
  CallbackHandler create(Class<? extends CallbackHandler> type, String stateJson) throws Exception;

  /**
   * Reads stored state into a handler a container made (its fields, as the runtime wrote them;
   * fields without state stay as they are), and returns it.
   */
  static <T extends CallbackHandler> T restoreState(T handler, String stateJson)
      throws java.io.IOException {
    return dev.extsvc.runtime.support.Json.HANDLER_STATE
        .readerForUpdating(handler)
        .readValue(stateJson);
  }
}
