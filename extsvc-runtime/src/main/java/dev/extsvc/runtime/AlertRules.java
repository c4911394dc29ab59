package dev.extsvc.runtime;

import dev.extsvc.runtime.credentials.Secret;
import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Which conditions raise an alert, how often they are checked, and where alerts are sent. An alert
 * fires once when its condition starts to hold and resolves once when it stops; both are shown in
 * the console and {@code GET /api/alerts}, and posted to the webhook when one is set.
 *
 * @param nearDeadline alert when pending invocations are this close to their deadline; null: off
 * @param slowWait alert when invocations wait longer than usual for their operation; null: off
 * @param handlerFailureRate alert when too many recent callbacks' handlers failed; null: off
 * @param deadCallbacks alert while any callback is dead (durable retries given up)
 * @param storeErrors alert while this node cannot use the store
 * @param nodeGone alert when a node of the cluster stops without leaving (no heartbeats)
 * @param every how often the conditions are checked
 * @param webhook where alerts are posted, null: only shown
 */
public record AlertRules(
    @Nullable Duration nearDeadline,
    @Nullable SlowWait slowWait,
    @Nullable FailureRate handlerFailureRate,
    boolean deadCallbacks,
    boolean storeErrors,
    boolean nodeGone,
    Duration every,
    @Nullable Webhook webhook) {

  public static final Duration DEFAULT_EVERY = Duration.ofSeconds(30);

  /**
   * What runs with no configuration: dead callbacks, store errors, gone nodes and a handler failure
   * rate over half of at least 10 callbacks in 10 minutes; shown, not sent.
   */
  public static final AlertRules DEFAULTS =
      new AlertRules(
          null,
          null,
          new FailureRate(0.5, Duration.ofMinutes(10), 10),
          true,
          true,
          true,
          DEFAULT_EVERY,
          null);

  /** No alert at all. */
  public static final AlertRules NONE =
      new AlertRules(null, null, null, false, false, false, DEFAULT_EVERY, null);

  public AlertRules {
    if (nearDeadline != null && (nearDeadline.isNegative() || nearDeadline.isZero())) {
      throw new IllegalArgumentException("alerts.nearDeadline must be positive");
    }
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("alerts.every must be positive");
    }
  }

  /** Whether any rule is on. */
  public boolean any() {
    return nearDeadline != null
        || slowWait != null
        || handlerFailureRate != null
        || deadCallbacks
        || storeErrors
        || nodeGone;
  }

  public AlertRules withNearDeadline(@Nullable Duration within) {
    return new AlertRules(
        within, slowWait, handlerFailureRate, deadCallbacks, storeErrors, nodeGone, every, webhook);
  }

  public AlertRules withSlowWait(@Nullable SlowWait rule) {
    return new AlertRules(
        nearDeadline,
        rule,
        handlerFailureRate,
        deadCallbacks,
        storeErrors,
        nodeGone,
        every,
        webhook);
  }

  public AlertRules withHandlerFailureRate(@Nullable FailureRate rule) {
    return new AlertRules(
        nearDeadline, slowWait, rule, deadCallbacks, storeErrors, nodeGone, every, webhook);
  }

  public AlertRules withEvery(Duration interval) {
    return new AlertRules(
        nearDeadline,
        slowWait,
        handlerFailureRate,
        deadCallbacks,
        storeErrors,
        nodeGone,
        interval,
        webhook);
  }

  public AlertRules withWebhook(@Nullable Webhook target) {
    return new AlertRules(
        nearDeadline,
        slowWait,
        handlerFailureRate,
        deadCallbacks,
        storeErrors,
        nodeGone,
        every,
        target);
  }

  /**
   * Invocations waiting longer than {@code multiple} times the 99th percentile of their operation's
   * recent callback times (submitted to completed), once at least {@code minSamples} completed
   * invocations of the operation give that percentile; never before {@code atLeast}.
   */
  public record SlowWait(double multiple, int minSamples, Duration atLeast) {
    public SlowWait {
      if (!(multiple >= 1)) {
        throw new IllegalArgumentException("alerts.slowWait.multiple must be at least 1");
      }
      if (minSamples < 1) {
        throw new IllegalArgumentException("alerts.slowWait.minSamples must be positive");
      }
      if (atLeast.isNegative()) {
        throw new IllegalArgumentException("alerts.slowWait.atLeast must not be negative");
      }
    }
  }

  /**
   * More than {@code above} (0..1) of the callbacks received in the last {@code window} stand
   * failed, counted once at least {@code minCallbacks} arrived in it.
   */
  public record FailureRate(double above, Duration window, int minCallbacks) {
    public FailureRate {
      if (!(above >= 0 && above < 1)) {
        throw new IllegalArgumentException(
            "alerts.handlerFailureRate.above must be a fraction from 0 to below 1, such as 0.2");
      }
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("alerts.handlerFailureRate.window must be positive");
      }
      if (minCallbacks < 1) {
        throw new IllegalArgumentException(
            "alerts.handlerFailureRate.minCallbacks must be positive");
      }
    }
  }

  /**
   * Where alerts are posted: Slack-compatible JSON ({@code text}, plus the alert under {@code
   * extsvc}), signed like Standard Webhooks when a secret ({@code whsec_...}) is given.
   */
  public record Webhook(URI url, @Nullable Secret secret) {
    public Webhook {
      String scheme = url.getScheme();
      if (scheme == null
          || !(scheme.equals("http") || scheme.equals("https"))
          || url.getHost() == null) {
        throw new IllegalArgumentException(
            "alerts.webhook.url must be an http or https URL with a host");
      }
    }

    /** The host only: a chat webhook's path is its secret. */
    @Override
    public String toString() {
      return "Webhook[" + url.getScheme() + "://" + url.getHost() + "/…, secret=" + secret + "]";
    }
  }
}
