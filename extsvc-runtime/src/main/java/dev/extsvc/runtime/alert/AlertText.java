package dev.extsvc.runtime.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.extsvc.runtime.Alert;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** How an alert reads: durations for people, and the webhook's Slack-compatible JSON. */
final class AlertText {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AlertText() {}

  /** "45 s", "12 min", "3 h 5 min", "2 d 4 h": two units at most. */
  static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return s / 60 + " min" + (s % 60 == 0 || s >= 600 ? "" : " " + s % 60 + " s");
    }
    if (s < 86_400) {
      return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
    }
    return s / 86_400 + " d" + (s % 86_400 / 3600 == 0 ? "" : " " + s % 86_400 / 3600 + " h");
  }

  /**
   * The body posted for a state change: {@code text} for Slack and chat tools, {@code extsvc} with
   * every field for programs.
   */
  static byte[] body(Alert alert, String node, String consoleBase) {
    String state = alert.firing() ? "firing" : "resolved";
    String text =
        (alert.firing() ? "[extsvc] FIRING " : "[extsvc] RESOLVED ")
            + alert.rule().label()
            + " ("
            + alert.subject()
            + ")"
            + (alert.firing()
                ? ""
                : " after "
                    + duration(
                        Duration.between(
                            alert.firedAt(), java.util.Objects.requireNonNull(alert.resolvedAt()))))
            + ": "
            + alert.summary();
    ObjectNode root = JSON.createObjectNode();
    root.put("text", text);
    ObjectNode a = root.putObject("extsvc");
    a.put("id", alert.id());
    a.put("state", state);
    a.put("rule", alert.rule().label());
    a.put("subject", alert.subject());
    a.put("summary", alert.summary());
    a.put("firedAt", alert.firedAt().toString());
    Instant resolved = alert.resolvedAt();
    if (resolved != null) {
      a.put("resolvedAt", resolved.toString());
    } else {
      a.putNull("resolvedAt");
    }
    a.put("node", node);
    var links = a.putArray("invocations");
    for (UUID id : alert.invocations()) {
      links.addObject().put("id", id.toString()).put("console", consoleBase + id);
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("an alert could not be written as JSON", e);
    }
  }
}
