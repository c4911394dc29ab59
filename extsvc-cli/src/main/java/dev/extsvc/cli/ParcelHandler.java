package dev.extsvc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.mock.Scenario;
import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.TimedOutInvocation;
import java.io.PrintWriter;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The second demo story's handler: one parcel's status updates, tracker heartbeats and delivery,
 * each run printed with the callbacks it was handed (a batch when several waited for it).
 */
final class ParcelHandler implements CallbackHandler {
  /** One handler run: the key and, per callback, its place in the mock's plan. */
  record Run(String key, List<String> sequences) {}

  /** Every run so far, in the order they happened, for the demo's summary. */
  static final List<Run> RUNS = new CopyOnWriteArrayList<>();

  /** How the invocation timed out, if it did (it should not). */
  static volatile @Nullable String timedOut;

  private @Nullable String recipient; // null only in the instance Jackson fills from stored state

  private ParcelHandler() {}

  ParcelHandler(String recipient) {
    this.recipient = recipient;
  }

  @Override
  public void onCallback(String key, List<ReceivedCallback> callbacks) {
    List<String> sequences =
        callbacks.stream()
            .map(c -> "#" + Objects.requireNonNullElse(c.header(Scenario.SEQUENCE_HEADER), "?"))
            .toList();
    RUNS.add(new Run(key, sequences));
    JsonNode body = callbacks.get(callbacks.size() - 1).body();
    String detail =
        switch (key) {
          case "shipmentStatus" ->
              "status update "
                  + String.join(" ", sequences)
                  + ": "
                  + text(body, "/status")
                  + " at "
                  + text(body, "/location");
          case "trackerAlive" ->
              "tracker heartbeat "
                  + String.join(" ", sequences)
                  + ": battery "
                  + text(body, "/battery")
                  + "%";
          default ->
              "delivered " + String.join(" ", sequences) + ": signed by " + text(body, "/signedBy");
        };
    PrintWriter console = DemoHandler.console;
    console.printf(
        "  handler  %-6s %s%s%n",
        recipient,
        detail,
        callbacks.size() > 1 ? " (" + callbacks.size() + " callbacks in one run)" : "");
    console.flush();
  }

  @Override
  public void onTimeout(TimedOutInvocation invocation) {
    timedOut = "timed out: " + recipient;
  }

  private static String text(@Nullable JsonNode body, String pointer) {
    return body == null ? "?" : body.at(pointer).asText("?");
  }
}
