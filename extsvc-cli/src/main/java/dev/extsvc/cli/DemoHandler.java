package dev.extsvc.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ReceivedCallback;
import dev.extsvc.runtime.TimedOutInvocation;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The demo's handler, as the seed's Apex developer would write it: it remembers whose application
 * it is (its stored state) and "creates a contact" for each approved applicant.
 */
final class DemoHandler implements CallbackHandler {
  /**
   * Where the demo prints; handlers are re-created from the store, so they reach the console
   * through this.
   */
  static volatile PrintWriter console = new PrintWriter(System.out, true);

  /** The outcome each applicant's handler saw, for the demo's summary. */
  static final Map<String, String> OUTCOMES = new ConcurrentHashMap<>();

  private @Nullable String
      applicant; // null only in the instance Jackson fills in from the stored state

  private DemoHandler() {}

  DemoHandler(String applicant) {
    this.applicant = applicant;
  }

  @Override
  public void onCallback(String key, List<ReceivedCallback> callbacks) {
    for (ReceivedCallback c : callbacks) {
      JsonNode body = Objects.requireNonNull(c.body(), "the bank's callbacks carry a JSON body");
      String detail =
          switch (key) {
            case "applicationOutcomeApproved" ->
                "approved for "
                    + body.path("approvedAmount").asText("?")
                    + "; contact created for "
                    + applicant;
            case "applicationOutcomeRejected" ->
                "rejected: " + body.path("errorMessage").asText("no reason given");
            default ->
                "error reported by the bank: "
                    + body.path("errorMessage").asText("?")
                    + " (application "
                    + c.header("applicationNumber")
                    + ")";
          };
      OUTCOMES.put(applicant, key);
      console.printf("  handler  %-6s %s%n", applicant, detail);
      console.flush();
    }
  }

  @Override
  public void onTimeout(TimedOutInvocation invocation) {
    OUTCOMES.put(applicant, "timed out");
  }
}
