package dev.extsvc.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelectionTest {
  @TempDir Path dir;

  private static final String WITH_CALLBACKS =
      """
      {"openapi": "3.0.3", "paths": {"/a": {"post": {"callbacks": {"done": {"{$request.query.cb}": {}}}}}}}""";
  private static final String CALLBACKS_AS_A_PROPERTY =
      """
      {"openapi": "3.0.3", "components": {"schemas": {"Job": {"properties": {"callbacks": {"type": "array"}}}}}}""";

  @Test
  void choosesDocumentsWhoseOperationsOrComponentsDeclareCallbacks() {
    assertThat(Selection.declaresCallbacks(WITH_CALLBACKS)).isTrue();
    assertThat(
            Selection.declaresCallbacks(
                "{\"openapi\": \"3.1.0\", \"components\": {\"callbacks\": {\"x\": {}}}}"))
        .isTrue();
    assertThat(
            Selection.declaresCallbacks(
                "openapi: 3.0.3\npaths:\n  /a:\n    post:\n      callbacks:\n        done: {}\n"))
        .isTrue();
  }

  @Test
  void doesNotTakeAPropertyCalledCallbacksForCallbacks() {
    assertThat(Selection.declaresCallbacks(CALLBACKS_AS_A_PROPERTY)).isFalse();
  }

  @Test
  void recognisesOpenApi3InJsonAndYamlButNotSwagger2() {
    assertThat(Selection.isOpenApi3("{\"openapi\":\"3.1.0\"}")).isTrue();
    assertThat(Selection.isOpenApi3("openapi: '3.0.1'\n")).isTrue();
    assertThat(Selection.isOpenApi3("{\"swagger\":\"2.0\"}")).isFalse();
  }

  @Test
  void samplesTheSameDocumentsForTheSameSeedAndLeavesOutThoseWithCallbacks() throws Exception {
    for (int i = 0; i < 30; i++) {
      Files.writeString(
          dir.resolve("api" + i + ".json"), "{\"openapi\": \"3.0.0\", \"paths\": {}}");
    }
    Files.writeString(dir.resolve("async.json"), WITH_CALLBACKS);
    List<Selection.Candidate> all = Selection.scan(dir);

    List<Selection.Candidate> first = Selection.sample(all, 10, 7);
    List<Selection.Candidate> again = Selection.sample(Selection.scan(dir), 10, 7);

    assertThat(first)
        .hasSize(10)
        .extracting(Selection.Candidate::name)
        .isEqualTo(again.stream().map(Selection.Candidate::name).toList());
    assertThat(first).extracting(Selection.Candidate::name).isSorted().doesNotContain("async.json");
    assertThat(Selection.sample(all, 10, 8)).isNotEqualTo(first);
    assertThat(Selection.withCallbacks(all))
        .extracting(Selection.Candidate::name)
        .containsExactly("async.json");
  }

  @Test
  void takesTheLargestDocumentAndTheLargestWithinTheLimit() throws Exception {
    Files.writeString(dir.resolve("small.json"), "{\"openapi\": \"3.0.0\"}");
    Files.writeString(
        dir.resolve("medium.json"), "{\"openapi\": \"3.0.0\", \"x\": \"" + "m".repeat(100) + "\"}");
    Files.writeString(
        dir.resolve("huge.json"), "{\"openapi\": \"3.0.0\", \"x\": \"" + "h".repeat(1000) + "\"}");

    assertThat(Selection.largest(Selection.scan(dir), 500))
        .extracting(Selection.Candidate::name)
        .containsExactly("huge.json", "medium.json");
  }
}
