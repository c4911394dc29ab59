package dev.extsvc.runtime.store;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An alert as the store keeps it for the cluster: fired by one node, resolved once, and the
 * delivery of its current state's webhook post.
 *
 * @param rule the rule's label, e.g. "near-deadline"
 * @param subject what it is about: "service/operation", a node id, or "cluster"
 * @param summary one line for a person (never a token or secret), updated while it fires
 * @param invocations some of the invocations concerned, for links
 * @param firedBy the node whose insert fired it
 * @param resolvedAt null while it fires
 * @param resolvedBy the node that saw it clear, null while it fires
 * @param delivery the webhook post of its current state (firing, then resolved)
 */
public record AlertRow(
    UUID id,
    String rule,
    String subject,
    String summary,
    List<UUID> invocations,
    Instant firedAt,
    String firedBy,
    @Nullable Instant resolvedAt,
    @Nullable String resolvedBy,
    Delivery delivery) {

  public AlertRow {
    invocations = List.copyOf(invocations);
  }

  public boolean firing() {
    return resolvedAt == null;
  }

  /**
   * Where the webhook post of the alert's current state is.
   *
   * @param state what a person reads, e.g. "sent (HTTP 200)", "not sent: no webhook configured"
   * @param attempts posts tried for this state
   * @param lastError the last failed attempt's error (an HTTP status or an exception's class), null
   *     when none failed
   * @param due when a node should post (again); null when nothing is left to post. A node posting
   *     moves it ahead, so that another node takes over only when that one stopped.
   */
  public record Delivery(
      String state, int attempts, @Nullable String lastError, @Nullable Instant due) {}
}
