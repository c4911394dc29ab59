package dev.extsvc.runtime.credentials;

import dev.extsvc.runtime.ExtsvcException;

/**
 * A secret could not be read: its variable is unset, its file missing or empty. Never carries the
 * value.
 */
public final class SecretUnavailableException extends ExtsvcException {
  public SecretUnavailableException(String message) {
    super(message);
  }
}
