package dev.extsvc.mock;

import java.util.Locale;
import java.util.Objects;

/**
 * How the mock sends the callbacks of keys awaited by correlation (a key with {@code
 * x-extsvc-correlation}): as a provider with one webhook address does, to the receiver's shared
 * address for the service, each carrying the invocation's correlation value where the rule reads it
 * (a JSON pointer into the body, or a header), signed by a provider's scheme.
 *
 * <p>Kept apart from the rest of the mock's settings so that a scenario model can carry it as one
 * value.
 *
 * @param url the receiver's shared address, e.g. {@code
 *     http://127.0.0.1:8080/callbacks/services/Calls}
 * @param signing how each callback is signed
 * @param beforeAnswer whether each callback is sent, and its answer awaited, before the synchronous
 *     answer goes out (a provider whose event beats its own response)
 */
public record SharedAddress(String url, Signing signing, boolean beforeAnswer) {

  public SharedAddress {
    if (!Urls.callable(url)) {
      throw new IllegalArgumentException("the shared address must be an http(s) URL, not " + url);
    }
    Objects.requireNonNull(signing, "signing");
  }

  /** The signature schemes the mock signs with: those the runtime checks, but the generic HMAC. */
  public enum Scheme {
    STANDARD_WEBHOOKS,
    GITHUB,
    STRIPE,
    SLACK,
    SHOPIFY,
    TWILIO;

    /** "standard-webhooks", "github", ...: the names extsvc.yaml's callbackSignature uses. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * A scheme by its configuration name.
     *
     * @throws IllegalArgumentException naming the known ones
     */
    public static Scheme of(String name) {
      for (Scheme s : values()) {
        if (s.configName().equalsIgnoreCase(name.strip())) {
          return s;
        }
      }
      throw new IllegalArgumentException(
          "unknown signature scheme '"
              + name
              + "'; known: standard-webhooks, github, stripe, slack, shopify, twilio");
    }
  }

  /**
   * A scheme and its secret (for Standard Webhooks {@code whsec_} and base64, as the receiver is
   * given it).
   */
  public record Signing(Scheme scheme, String secret) {
    public Signing {
      Objects.requireNonNull(scheme, "scheme");
      if (secret.isEmpty()) {
        throw new IllegalArgumentException("a signing secret must not be empty");
      }
    }

    @Override
    public String toString() {
      return "Signing[" + scheme.configName() + ", secret ****]";
    }
  }
}
