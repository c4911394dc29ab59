package dev.extsvc.runtime;

import dev.extsvc.runtime.credentials.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How the callbacks of a service are signed: a provider's preset or a generic HMAC definition, with
 * the secrets (several while keys rotate) as references that are read when a callback is checked
 * and never logged. Required on a service's shared address ({@code
 * {callbackPath}/services/{service}}), which carries no secret of its own; checked on its token
 * URLs too. A callback that fails the check is answered 401 without saying which check failed.
 *
 * @param hmac the generic definition; only for {@link Scheme#HMAC}
 * @param tolerance how far a signed timestamp may be from now (Standard Webhooks, Stripe, Slack,
 *     and HMAC with a timestamp)
 */
public record CallbackSignature(
    Scheme scheme, List<Secret> secrets, @Nullable Hmac hmac, Duration tolerance) {

  /** Five minutes, as Standard Webhooks, Stripe and Slack recommend. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  /** The signature schemes extsvc knows. */
  public enum Scheme {
    /** {@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature: v1,BASE64}. */
    STANDARD_WEBHOOKS("standard-webhooks"),
    /** {@code X-Hub-Signature-256: sha256=HEX} of the body. */
    GITHUB("github"),
    /** {@code Stripe-Signature: t=TIMESTAMP,v1=HEX} of {@code TIMESTAMP.body}. */
    STRIPE("stripe"),
    /**
     * {@code X-Slack-Signature: v0=HEX} of {@code v0:TIMESTAMP:body}, the timestamp in {@code
     * X-Slack-Request-Timestamp}.
     */
    SLACK("slack"),
    /** {@code X-Shopify-Hmac-Sha256: BASE64} of the body. */
    SHOPIFY("shopify"),
    /**
     * {@code X-Twilio-Signature: BASE64} HMAC-SHA1 of the URL followed by the form parameters
     * sorted by name, each name then value.
     */
    TWILIO("twilio"),
    /** A generic HMAC definition ({@link Hmac}). */
    HMAC("hmac");

    private final String configName;

    Scheme(String configName) {
      this.configName = configName;
    }

    /** The name in configuration: "github", "standard-webhooks", ... */
    public String configName() {
      return configName;
    }

    /**
     * The scheme of that configuration name.
     *
     * @throws IllegalArgumentException naming the known ones
     */
    public static Scheme of(String name) {
      for (Scheme s : values()) {
        if (s.configName.equals(name.strip().toLowerCase(Locale.ROOT))) {
          return s;
        }
      }
      throw new IllegalArgumentException(
          "unknown signature scheme '"
              + name
              + "'; known: "
              + String.join(
                  ", ", java.util.Arrays.stream(values()).map(Scheme::configName).toList()));
    }
  }

  /** How the generic scheme's signature is written and what it signs. */
  public enum Encoding {
    HEX,
    BASE64
  }

  /** What a generic HMAC signs. */
  public enum Signed {
    /** The body as received. */
    BODY,
    /** The timestamp header's value, a '.', then the body (Stripe's and many others' choice). */
    TIMESTAMP_DOT_BODY
  }

  /**
   * A generic HMAC signature.
   *
   * @param header the header that carries the signature
   * @param prefix text before the signature in the header ("sha256=", or "")
   * @param algorithm "SHA256", "SHA1" or "SHA512"
   * @param timestampHeader the header with the Unix timestamp, required for {@link
   *     Signed#TIMESTAMP_DOT_BODY}
   */
  public record Hmac(
      String header,
      String prefix,
      Encoding encoding,
      String algorithm,
      Signed signed,
      @Nullable String timestampHeader) {
    public Hmac {
      Objects.requireNonNull(header, "header");
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(encoding, "encoding");
      Objects.requireNonNull(signed, "signed");
      if (header.isBlank()) {
        throw new IllegalArgumentException("hmac.header must name the signature's header");
      }
      algorithm = algorithm.strip().toUpperCase(Locale.ROOT).replace("-", "");
      if (!List.of("SHA256", "SHA1", "SHA512").contains(algorithm)) {
        throw new IllegalArgumentException(
            "hmac.algorithm must be SHA256, SHA1 or SHA512, not '" + algorithm + "'");
      }
      if (signed == Signed.TIMESTAMP_DOT_BODY
          && (timestampHeader == null || timestampHeader.isBlank())) {
        throw new IllegalArgumentException(
            "hmac.timestampHeader is required when the timestamp is signed");
      }
    }
  }

  public CallbackSignature {
    Objects.requireNonNull(scheme, "scheme");
    secrets = List.copyOf(secrets);
    Objects.requireNonNull(tolerance, "tolerance");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException(
          "a " + scheme.configName() + " signature needs at least one secret");
    }
    if ((scheme == Scheme.HMAC) != (hmac != null)) {
      throw new IllegalArgumentException(
          scheme == Scheme.HMAC
              ? "the hmac scheme needs its definition (header, prefix, encoding, algorithm, signed)"
              : "only the hmac scheme takes an hmac definition");
    }
    if (tolerance.isNegative() || tolerance.isZero()) {
      throw new IllegalArgumentException("the signature's tolerance must be positive");
    }
  }

  /** A provider's preset with these secrets and the default tolerance. */
  public static CallbackSignature preset(Scheme scheme, Secret... secrets) {
    return new CallbackSignature(scheme, List.of(secrets), null, DEFAULT_TOLERANCE);
  }

  /** A generic HMAC signature with these secrets. */
  public static CallbackSignature hmac(Hmac definition, Secret... secrets) {
    return new CallbackSignature(Scheme.HMAC, List.of(secrets), definition, DEFAULT_TOLERANCE);
  }

  /** The scheme and where its secrets come from, never their values. */
  @Override
  public String toString() {
    return scheme.configName() + " signature, secrets " + secrets;
  }
}
