package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.NodeRow;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's nodes view and {@code GET /api/nodes}: every node sharing the store with its host,
 * version, times, alive or dead by the node timeout, and the leases it holds, linked to their
 * invocations.
 */
class ConsoleNodesTest {
  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void start() {
    // heartbeats an hour apart: no reaping while the test writes nodes of its own
    f =
        new Fixture(
                dir, b -> b.heartbeatInterval(Duration.ofHours(1)).nodeTimeout(Duration.ofHours(2)))
            .withAcme();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  InvocationResult submit() {
    f.bank.answer(201, "{\"applicationNumber\":\"A-1\"}");
    return f.services.invoke(
        Fixture.ACME,
        "SubmitApplication",
        RequestParts.fromJson(Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"A\"}}}")),
        null,
        Duration.ofHours(1));
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return f.http.send(
        HttpRequest.newBuilder(URI.create(f.server.localUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theOneSqliteNodeIsShownAliveAndHoldingNothing() throws Exception {
    String html = get("/console/nodes").body();

    assertThat(html)
        .contains("data-node=\"" + f.services.nodeId() + "\" data-alive=\"true\"")
        .contains("(this node)")
        .contains("ALIVE")
        .contains("<span class=\"lease-count\">0</span>")
        .contains("href=\"/console/nodes\" class=\"on\"");
    assertThat(html.split("class=\"node\"", -1)).hasSize(2);
  }

  @Test
  void eachNodeShowsItsStateAndTheLeasesItHoldsLinkedToTheirInvocations() throws Exception {
    Instant now = f.clock.instant();
    f.store.registerNode(new NodeRow("node-b", "<b>host-b</b>", "9.9", now, now));
    f.store.registerNode(
        new NodeRow("node-c", "host-c", "9.8", now.minusSeconds(9000), now.minusSeconds(8000)));
    InvocationResult mine = submit();
    InvocationResult theirs = submit();
    UUID callback = UUID.randomUUID();
    assertThat(
            f.store.claim(
                mine.invocationId(),
                UUID.randomUUID(),
                f.services.nodeId(),
                now,
                now.plusSeconds(120)))
        .isPresent();
    assertThat(f.store.claim(theirs.invocationId(), callback, "node-b", now, now.plusSeconds(60)))
        .isPresent();

    String html = get("/console/nodes").body();

    assertThat(html)
        .contains("data-node=\"node-b\" data-alive=\"true\"")
        .contains("data-node=\"node-c\" data-alive=\"false\"")
        .contains("DEAD")
        .contains("&lt;b&gt;host-b&lt;/b&gt;")
        .doesNotContain("<b>host-b</b>")
        .contains("href=\"/console/invocations/" + mine.invocationId() + "\"")
        .contains("href=\"/console/invocations/" + theirs.invocationId() + "\"")
        .contains("callback " + callback + ", held until " + now.plusSeconds(60));
    // node-b's row holds its lease, not this node's
    String nodeB = html.substring(html.indexOf("data-node=\"node-b\""));
    nodeB = nodeB.substring(0, nodeB.indexOf("</tr>"));
    assertThat(nodeB)
        .contains("<span class=\"lease-count\">1</span>")
        .contains(theirs.invocationId().toString())
        .doesNotContain(mine.invocationId().toString());

    HttpResponse<String> api = get("/api/nodes");
    assertThat(api.statusCode()).isEqualTo(200);
    assertThat(api.body())
        .contains("\"nodeTimeout\":\"PT2H\"")
        .contains("\"id\":\"node-b\",\"host\":\"<b>host-b</b>\",\"version\":\"9.9\"")
        .contains("\"alive\":true,\"draining\":false,\"leaseCount\":1")
        .contains("\"id\":\"node-c\"")
        .contains("\"alive\":false")
        .contains(
            "{\"node\":\"node-b\",\"invocationId\":\""
                + theirs.invocationId()
                + "\",\"callbackId\":\""
                + callback
                + "\",\"until\":\""
                + now.plusSeconds(60)
                + "\"}")
        .doesNotContain("/callbacks/");
  }
}
