package dev.extsvc.runtime;

/**
 * Re-creates a stored handler from its type and state. The default reads the state with Jackson into a new
 * instance; a DI container supplies its own to inject dependencies. Only types the runtime allows are passed here.
 */
@FunctionalInterface
public interface HandlerFactory {
  CallbackHandler create(Class<? extends CallbackHandler> type, String stateJson) throws Exception;
}
