package dev.extsvc.runtime.alert;

import dev.extsvc.runtime.Alert;
import java.util.List;
import java.util.UUID;

/**
 * A rule's condition found holding now.
 *
 * @param local whether only this node can see it (its own store errors, a node it found gone)
 */
record Condition(
    Alert.Rule rule, String subject, String summary, List<UUID> invocations, boolean local) {

  Key key() {
    return new Key(rule, subject);
  }

  /** What makes two conditions the same alert. */
  record Key(Alert.Rule rule, String subject) {}
}
