package dev.extsvc.runtime;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One alert: a condition of a rule that started to hold at {@code firedAt} and, once resolved,
 * stopped at {@code resolvedAt}.
 *
 * @param id stable for the alert's life; the webhook's message ids derive from it
 * @param rule which rule raised it
 * @param subject what it is about: "service/operation", a node id, or "cluster"
 * @param summary one line for a person, updated while it fires (never a token or secret)
 * @param invocations some of the invocations concerned (at most 10), for links
 * @param delivery what became of its webhook posts, e.g. "sent", "not sent: no webhook"
 */
public record Alert(
    String id,
    Rule rule,
    String subject,
    String summary,
    List<UUID> invocations,
    Instant firedAt,
    @Nullable Instant resolvedAt,
    String delivery) {

  public Alert {
    invocations = List.copyOf(invocations);
  }

  public boolean firing() {
    return resolvedAt == null;
  }

  /** The rules of {@link AlertRules}, each with the name alerts show. */
  public enum Rule {
    NEAR_DEADLINE("near-deadline"),
    SLOW_WAIT("slow-wait"),
    HANDLER_FAILURE_RATE("handler-failure-rate"),
    DEAD_CALLBACKS("dead-callbacks"),
    STORE_ERRORS("store-errors"),
    NODE_GONE("node-gone");

    private final String label;

    Rule(String label) {
      this.label = label;
    }

    /** The rule's name in alerts, e.g. "near-deadline". */
    public String label() {
      return label;
    }
  }
}
