package dev.extsvc.runtime.store;

/** The store cannot be reached or cannot commit; callers answer 503 and retry later. */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
