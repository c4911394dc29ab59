package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/grafana-dashboard.json is valid JSON, and a panel queries every meter family extsvc serves
 * (as Prometheus names them).
 */
class GrafanaDashboardTest {
  static final List<String> FAMILIES =
      List.of(
          "extsvc_invocations_finished_total",
          "extsvc_callbacks_total",
          "extsvc_callbacks_unknown_token_total",
          "extsvc_callback_delay_seconds_bucket",
          "extsvc_handler_duration_seconds_bucket",
          "extsvc_handler_duration_seconds_count",
          "extsvc_invocations{",
          "extsvc_invocations_overdue",
          "extsvc_invocations_next_deadline_seconds",
          "extsvc_sweeper_lag_seconds",
          "extsvc_callbacks_queued",
          "extsvc_callbacks_dead",
          "extsvc_store_duration_seconds_sum",
          "extsvc_store_errors_total");

  @Test
  void everyMeterFamilyHasAPanel() throws Exception {
    JsonNode dashboard =
        new ObjectMapper().readTree(Path.of("../docs/grafana-dashboard.json").toFile());
    List<String> queries = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(target.path("expr").asText());
      }
      if (!panel.path("type").asText().equals("row")) {
        assertThat(panel.path("gridPos").path("w").asInt()).as(panel.toString()).isPositive();
        assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
      }
    }
    assertThat(dashboard.path("title").asText()).isEqualTo("extsvc");
    for (String family : FAMILIES) {
      String name = family.endsWith("{") ? family.substring(0, family.length() - 1) : family;
      assertThat(queries)
          .as("a panel on " + name)
          .anyMatch(
              q ->
                  family.endsWith("{")
                      ? q.matches(".*\\b" + name + "\\b(?!_).*")
                      : q.contains(name));
    }
  }
}
