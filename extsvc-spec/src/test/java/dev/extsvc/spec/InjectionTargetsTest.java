package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InjectionTargetsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static RequestParts withBody(String json) throws Exception {
    return new RequestParts().body(JSON.readTree(json));
  }

  @Test
  void writesAndReadsAQueryParameter() {
    RequestParts request = new RequestParts().query("cb", "old");
    InjectionTarget target = new InjectionTarget.Query("cb");
    target.inject(request, "https://me/1");
    assertThat(request.query().get("cb")).containsExactly("https://me/1");
    assertThat(target.read(request)).isEqualTo("https://me/1");
  }

  @Test
  void writesAndReadsAHeaderIgnoringCase() {
    RequestParts request = new RequestParts();
    new InjectionTarget.Header("X-Callback").inject(request, "https://me/2");
    assertThat(new InjectionTarget.Header("x-callback").read(request)).isEqualTo("https://me/2");
  }

  @Test
  void writesAndReadsAPathParameter() {
    RequestParts request = new RequestParts();
    new InjectionTarget.Path("hook").inject(request, "https://me/3");
    assertThat(request.path()).containsEntry("hook", "https://me/3");
    assertThat(new InjectionTarget.Path("hook").read(request)).isEqualTo("https://me/3");
  }

  @Test
  void writesAnObjectPropertyKeepingTheRest() throws Exception {
    RequestParts request =
        withBody("{\"applicant\":{\"name\":\"Ann\"},\"cb\":{\"approved\":\"x\"}}");
    new InjectionTarget.Body("/cb/approved").inject(request, "https://me/a");
    assertThat(request.body())
        .isEqualTo(
            JSON.readTree(
                "{\"applicant\":{\"name\":\"Ann\"},\"cb\":{\"approved\":\"https://me/a\"}}"));
    assertThat(new InjectionTarget.Body("/cb/approved").read(request)).isEqualTo("https://me/a");
  }

  @Test
  void createsTheBodyAndMissingParentObjects() throws Exception {
    RequestParts request = new RequestParts();
    new InjectionTarget.Body("/callbackUrlForOutcomes/approved").inject(request, "https://me/a");
    assertThat(request.body())
        .isEqualTo(JSON.readTree("{\"callbackUrlForOutcomes\":{\"approved\":\"https://me/a\"}}"));
  }

  @Test
  void unescapesPointerTokens() throws Exception {
    RequestParts request = new RequestParts();
    new InjectionTarget.Body("/a~1b/c~0d").inject(request, "u");
    assertThat(request.body()).isEqualTo(JSON.readTree("{\"a/b\":{\"c~d\":\"u\"}}"));
  }

  @Test
  void replacesAnArrayElementByIndexOrAppendsAtTheSize() throws Exception {
    RequestParts request = withBody("{\"hooks\":[\"a\",\"b\"]}");
    new InjectionTarget.Body("/hooks/0").inject(request, "x");
    new InjectionTarget.Body("/hooks/2").inject(request, "y");
    assertThat(request.body()).isEqualTo(JSON.readTree("{\"hooks\":[\"x\",\"b\",\"y\"]}"));
  }

  @Test
  void appendsWithDash() throws Exception {
    RequestParts request = withBody("{\"hooks\":[\"a\"]}");
    new InjectionTarget.Body("/hooks/-").inject(request, "z");
    assertThat(request.body()).isEqualTo(JSON.readTree("{\"hooks\":[\"a\",\"z\"]}"));
  }

  @Test
  void createsAnArrayWhenAMissingParentIsFollowedByAnIndexOrDash() throws Exception {
    RequestParts request = withBody("{}");
    new InjectionTarget.Body("/hooks/0/url").inject(request, "u0");
    new InjectionTarget.Body("/more/-").inject(request, "u1");
    assertThat(request.body())
        .isEqualTo(JSON.readTree("{\"hooks\":[{\"url\":\"u0\"}],\"more\":[\"u1\"]}"));
  }

  @Test
  void failsSayingWhereWhenTheParentIsAString() throws Exception {
    RequestParts request = withBody("{\"cb\":\"text\"}");
    assertThatThrownBy(() -> new InjectionTarget.Body("/cb/approved").inject(request, "u"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/cb")
        .hasMessageContaining("a string");
  }

  @Test
  void failsWhenTheIndexIsOutOfRange() throws Exception {
    RequestParts request = withBody("{\"hooks\":[\"a\"]}");
    assertThatThrownBy(() -> new InjectionTarget.Body("/hooks/3").inject(request, "u"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("index 3 at /hooks/3 is out of range");
  }

  @Test
  void failsWhenAnArrayIsAddressedByName() throws Exception {
    RequestParts request = withBody("{\"hooks\":[]}");
    assertThatThrownBy(() -> new InjectionTarget.Body("/hooks/url").inject(request, "u"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'url' at /hooks/url is not an array index");
  }

  @Test
  void refusesToReplaceTheWholeBody() {
    assertThatThrownBy(() -> InjectionTargets.injectBody(new RequestParts(), "", "u"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsNullWhenAbsent() throws Exception {
    assertThat(new InjectionTarget.Body("/a").read(new RequestParts())).isNull();
    assertThat(new InjectionTarget.Body("/a/b").read(withBody("{\"a\":{}}"))).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "query:callbackUrl",
        "header:X-Callback",
        "path:id",
        "body:/a/b",
        "body:/a~1b/0",
        "body:/hooks/-"
      })
  void roundTripsIds(String id) {
    assertThat(InjectionTarget.fromId(id).id()).isEqualTo(id);
  }

  @Test
  void parsesIdsIntoTheRightKind() {
    assertThat(InjectionTarget.fromId("query:cb")).isEqualTo(new InjectionTarget.Query("cb"));
    assertThat(InjectionTarget.fromId("header:X")).isEqualTo(new InjectionTarget.Header("X"));
    assertThat(InjectionTarget.fromId("path:p")).isEqualTo(new InjectionTarget.Path("p"));
    assertThat(InjectionTarget.fromId("body:/a")).isEqualTo(new InjectionTarget.Body("/a"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "cb", "query:", "cookie:a", "body:a", "body:/a~2"})
  void rejectsBadIds(String id) {
    assertThatThrownBy(() -> InjectionTarget.fromId(id))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
