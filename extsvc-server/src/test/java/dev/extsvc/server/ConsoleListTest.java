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
        .contains("href=\"/console/invocations?sort=deadline&amp;order=asc\"")
        .contains("href=\"/console/invocations?sort=activity&amp;order=desc\"")
        .contains("href=\"/console/invocations?sort=submitted&amp;order=asc\"");

    String byDeadline = page("/console/invocations?sort=deadline&order=asc");
    assertThat(numbers(byDeadline)).containsExactly("A-3", "A-1", "A-2");
    assertThat(byDeadline)
        .contains("aria-sort=\"ascending\" data-sort=\"deadline\"")
        .contains("href=\"/console/invocations?sort=deadline&amp;order=desc\"");
    assertThat(numbers(page("/console/invocations?sort=deadline&order=desc")))
        .containsExactly("A-2", "A-1", "A-3");
    assertThat(numbers(page("/console/invocations?sort=submitted&order=asc")))
        .containsExactly("A-2", "A-3", "A-1");
    assertThat(numbers(page("/console/invocations?sort=nonsense&order=up")))
        .containsExactly("A-1", "A-3", "A-2");
  }

  @Test
  void theLastEventColumnSortsByTheNewestActivity() {
    InvocationResult old = submit("A-1", Duration.ofHours(1), new RecordingHandler("A", APPROVED));
    submit("A-2", Duration.ofHours(1), null);
    submit("A-3", Duration.ofHours(1), null);
    assertThat(numbers(page("/console/invocations?sort=activity"))).startsWith("A-3");

    f.clock.advance(Duration.ofMinutes(5));
    f.postJson(old.callbackUrls().get(APPROVED), APPROVED_BODY);

    assertThat(numbers(page("/console/invocations?sort=activity&order=desc")))
        .containsExactly("A-1", "A-3", "A-2");
    assertThat(numbers(page("/console/invocations?sort=activity&order=asc")))
        .containsExactly("A-2", "A-3", "A-1");
  }

  @Test
  void theSortIsKeptByTheFilterFormAndThePagerAndTheRefresh() {
    for (int i = 0; i < 51; i++) {
      submit("A-" + (100 + i), Duration.ofHours(1), null);
    }

    String html = page("/console/invocations?status=PENDING&sort=deadline&order=desc");

    assertThat(html)
        .contains("<input type=\"hidden\" name=\"sort\" value=\"deadline\">")
        .contains("<input type=\"hidden\" name=\"order\" value=\"desc\">")
        .containsPattern(
            "href=\"/console/invocations\\?status=PENDING&amp;sort=deadline&amp;order=desc&amp;page=[A-Za-z0-9_-]+\"")
        .contains(
            "hx-get=\"/console/invocations?status=PENDING&amp;sort=deadline&amp;order=desc\"");
    String next = link(html, "next");
    assertThat(page(next))
        .contains("hx-get=\"" + next.replace("&", "&amp;") + "\"")
        .contains(
            "href=\"/console/invocations?status=PENDING&amp;sort=deadline&amp;order=desc\">« First");
  }

  @Test
  void sortingAppliesToTheWholeListAcrossPagesWithTiesInStableOrder() {
    // deadlines in three groups of 40 (ties across the pages of 50), submitted a second apart
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      submit("A-" + (1000 + i), Duration.ofHours(1 + i % 3).minusSeconds(i + 1), null);
    }
    for (int group = 0; group < 3; group++) {
      for (int i = group; i < 120; i += 3) {
        expected.add("A-" + (1000 + i));
      }
    }

    List<String> shown = new ArrayList<>();
    List<String> pages = new ArrayList<>();
    String url = "/console/invocations?sort=deadline&order=asc";
    while (url != null) {
      String html = page(url);
      pages.add(html);
      shown.addAll(numbers(html));
      url = link(html, "next");
    }

    assertThat(shown).isEqualTo(expected);
    assertThat(pages).hasSize(3);
    assertThat(numbers(page(link(pages.get(2), "prev")))).isEqualTo(numbers(pages.get(1)));
    assertThat(numbers(page(link(page(link(pages.get(2), "prev")), "prev"))))
        .isEqualTo(numbers(pages.get(0)));
    assertThat(link(pages.get(0), "prev")).isNull();
  }

  /** The pager's link with that rel, unescaped, or null. */
  static String link(String html, String rel) {
    Matcher m = Pattern.compile("rel=\"" + rel + "\" href=\"([^\"]+)\"").matcher(html);
    return m.find() ? m.group(1).replace("&amp;", "&") : null;
  }

  @Test
  void theApiSortsAndPagesLikeTheConsoleAndNamesTheBadParameter() throws Exception {
    for (int i = 0; i < 7; i++) {
      submit("A-" + (10 + i), Duration.ofHours(1 + i % 2).minusSeconds(i + 1), null);
    }
    List<String> ids = new ArrayList<>();
    String url = "/api/invocations?sort=deadline&order=asc&limit=3";
    int pages = 0;
    while (url != null) {
      HttpResponse<String> r = api(url);
      assertThat(r.statusCode()).isEqualTo(200);
      Matcher id = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"").matcher(r.body());
      while (id.find()) {
        ids.add(id.group(1));
      }
      pages++;
      url =
          r.headers()
              .firstValue("Link")
              .map(l -> Pattern.compile("<([^>]+)>; rel=\"next\"").matcher(l))
              .filter(Matcher::find)
              .map(m -> m.group(1))
              .orElse(null);
    }
    List<String> deadlineOrder =
        f
            .store
            .invocations(
                dev.extsvc.runtime.store.InvocationQuery.all(10)
                    .withSort(
                        new dev.extsvc.runtime.store.InvocationSort(
                            dev.extsvc.runtime.store.InvocationSort.Column.DEADLINE, false)))
            .stream()
            .map(r -> r.id().toString())
            .toList();
    assertThat(pages).isEqualTo(3);
    assertThat(ids).isEqualTo(deadlineOrder);

    assertThat(api("/api/invocations?sort=colour"))
        .satisfies(r -> assertThat(r.statusCode()).isEqualTo(400))
        .satisfies(
            r ->
                assertThat(r.body())
                    .contains(
                        "sort must be one of submitted, activity, service, operation, status,"
                            + " deadline, not 'colour'"));
    assertThat(api("/api/invocations?order=up").body())
        .contains("order must be asc or desc, not 'up'");
    assertThat(api("/api/invocations?page=garbage").body()).contains("page must be a token");
    HttpResponse<String> first = api("/api/invocations?sort=status&limit=2");
    String token =
        first.headers().firstValue("Link").orElseThrow().replaceAll(".*page=([^>]+)>.*", "$1");
    assertThat(api("/api/invocations?sort=service&page=" + token))
        .satisfies(r -> assertThat(r.statusCode()).isEqualTo(400))
        .satisfies(r -> assertThat(r.body()).contains("page belongs to sort=status&order=asc"));
  }

  HttpResponse<String> api(String path) throws IOException, InterruptedException {
    return f.http.send(
        HttpRequest.newBuilder(URI.create(f.server.localUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
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

    assertThat(page(path))
        .contains("hx-get=\"" + path + "\"")
        .as("every 5 s, and at once when the tab is shown again (the list does the same)")
        .contains("hx-trigger=\"every 5s, extsvc:visible from:document\"");

    f.postJson(r.callbackUrls().get(APPROVED), APPROVED_BODY);

    assertThat(page(path))
        .contains("id=\"status\">COMPLETED")
        .doesNotContain("hx-trigger=")
        .doesNotContain("hx-get=");
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
