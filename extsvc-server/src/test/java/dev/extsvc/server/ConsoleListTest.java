package dev.extsvc.server;

import static dev.extsvc.server.CallbackLoopTest.APPROVED;
import static dev.extsvc.server.CallbackLoopTest.APPROVED_BODY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's list and pages as a person reads them: business values, sortable columns, absolute
 * times on hover, a detail page that refreshes only while pending, errors shown in full.
 */
class ConsoleListTest {
  @TempDir Path dir;
  Fixture f;

  @BeforeEach
  void start() {
    RecordingHandler.reset();
    f = new Fixture(dir).withAcme();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  InvocationResult submit(String applicationNumber, Duration timeout, RecordingHandler handler) {
    // one second apart: the list's default order is by id, which orders within a millisecond
    // at random
    f.clock.advance(Duration.ofSeconds(1));
    f.bank.answer(201, "{\"applicationNumber\":\"" + applicationNumber + "\"}");
    RequestParts input =
        RequestParts.fromJson(Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Alice\"}}}"));
    return f.services.invoke(Fixture.ACME, "SubmitApplication", input, handler, timeout);
  }

  String page(String path) {
    try {
      HttpResponse<String> r =
          f.http.send(
              HttpRequest.newBuilder(URI.create(f.server.localUrl() + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      return r.body();
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The application numbers in the order the list shows them. */
  static List<String> numbers(String html) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("applicationNumber</span> (A-\\d+)").matcher(html);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void theListShowsTheApplicationNumberFromTheAnswer() {
    submit("A-1001", Duration.ofHours(1), null);

    String html = page("/console/invocations");

    assertThat(html).contains("Business values");
    assertThat(numbers(html)).containsExactly("A-1001");
  }

  @Test
  void columnsSortByTheirHeaderLinkAscendingThenDescending() {
    submit("A-2", Duration.ofHours(3), null);
    submit("A-3", Duration.ofHours(1), null);
    submit("A-1", Duration.ofHours(2), null);

    String newestFirst = page("/console/invocations");
    assertThat(numbers(newestFirst)).containsExactly("A-1", "A-3", "A-2");
    assertThat(newestFirst)
        .contains("aria-sort=\"descending\" data-sort=\"submitted\"")
        .contains("href=\"/console/invocations?sort=values&amp;dir=asc\"")
        .contains("href=\"/console/invocations?sort=submitted&amp;dir=asc\"");

    String byValues = page("/console/invocations?sort=values&dir=asc");
    assertThat(numbers(byValues)).containsExactly("A-1", "A-2", "A-3");
    assertThat(byValues)
        .contains("aria-sort=\"ascending\" data-sort=\"values\"")
        .contains("href=\"/console/invocations?sort=values&amp;dir=desc\"");
    assertThat(numbers(page("/console/invocations?sort=values&dir=desc")))
        .containsExactly("A-3", "A-2", "A-1");
    assertThat(numbers(page("/console/invocations?sort=deadline&dir=asc")))
        .containsExactly("A-3", "A-1", "A-2");
    assertThat(numbers(page("/console/invocations?sort=nonsense&dir=up")))
        .containsExactly("A-1", "A-3", "A-2");
  }

  @Test
  void theSortIsKeptByTheFilterFormAndThePagerAndTheRefresh() {
    for (int i = 0; i < 51; i++) {
      submit("A-" + (100 + i), Duration.ofHours(1), null);
    }

    String html = page("/console/invocations?status=PENDING&sort=values&dir=desc");

    assertThat(html)
        .contains("<input type=\"hidden\" name=\"sort\" value=\"values\">")
        .contains("<input type=\"hidden\" name=\"dir\" value=\"desc\">")
        .containsPattern(
            "href=\"/console/invocations\\?status=PENDING&amp;before=[0-9a-f-]{36}&amp;sort=values&amp;dir=desc\"")
        .contains("hx-get=\"/console/invocations?status=PENDING&amp;sort=values&amp;dir=desc\"");
  }

  @Test
  void timesShowTheirAbsoluteIsoTimeOnHover() {
    submit("A-1001", Duration.ofHours(1), null);

    assertThat(page("/console/invocations"))
        .contains("title=\"2026-03-01T10:00:01Z\"")
        .contains("title=\"2026-03-01T11:00:01Z\"");
  }

  @Test
  void theDetailPageRefreshesItselfWhilePendingAndStopsWhenFinal() {
    InvocationResult r = submit("A-1001", Duration.ofHours(1), new RecordingHandler("A", APPROVED));
    String path = "/console/invocations/" + r.invocationId();

    assertThat(page(path)).contains("hx-get=\"" + path + "\"").contains("hx-trigger=\"every 5s\"");

    f.postJson(r.callbackUrls().get(APPROVED), APPROVED_BODY);

    assertThat(page(path))
        .contains("id=\"status\">COMPLETED")
        .doesNotContain("hx-trigger=\"every 5s\"");
  }

  @Test
  void aHandlersErrorIsShownInFullWithoutTheExceptionClass() {
    InvocationResult r = submit("A-1001", Duration.ofHours(1), new RecordingHandler("A", APPROVED));
    RecordingHandler.FAILURES_LEFT.set(1);
    f.postJson(r.callbackUrls().get(APPROVED), APPROVED_BODY);

    String full =
        "Handler dev.extsvc.server.RecordingHandler failed on applicationOutcomeApproved:"
            + " java.lang.IllegalStateException: database is down";
    String shown =
        "Handler dev.extsvc.server.RecordingHandler failed on applicationOutcomeApproved:"
            + " database is down";
    assertThat(page("/console"))
        .contains("<td class=\"error-text\" title=\"" + full + "\">" + shown + "</td>");
    assertThat(page("/console/invocations/" + r.invocationId()))
        .contains("<p class=\"error-text\" title=\"" + full + "\">" + shown + "</p>");
  }
}
