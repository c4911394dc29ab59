package dev.extsvc.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.CallbackResponse;
import dev.extsvc.runtime.InvocationResult;
import dev.extsvc.runtime.store.InvocationStatus;
import dev.extsvc.spec.RequestParts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ten thousand generated bad callbacks (malformed, truncated, mistyped, huge, deep, duplicate keys,
 * invalid UTF-8, wrong content types, oversized, path tricks, wrong methods): never a 5xx, never a
 * state change, never a stack trace in the log, and no token ever reaches the log.
 */
class BadInputFuzzTest {
  static final int INPUTS = 10_000;
  static final Path LOG = Path.of("target/test.log");

  @TempDir Path dir;
  Fixture f;

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void tenThousandBadCallbacksGetClear4xxAndChangeNothing() throws IOException {
    RecordingHandler.reset();
    f = new Fixture(dir, b -> b.unknownTokenLimit(1_000_000)).withAcme();
    long logStart = Files.exists(LOG) ? Files.size(LOG) : 0;
    InvocationResult r =
        f.services.invoke(
            Fixture.ACME,
            "SubmitApplication",
            RequestParts.fromJson(
                Json.readTrusted("{\"body\":{\"applicant\":{\"name\":\"Fuzz\"}}}")),
            new RecordingHandler(
                "Fuzz",
                CallbackLoopTest.APPROVED,
                CallbackLoopTest.REJECTED,
                CallbackLoopTest.ERROR),
            null);
    Collection<String> urls = r.callbackUrls().values();
    List<String> tokens =
        urls.stream().map(u -> u.substring(u.lastIndexOf('/') + 1)).distinct().toList();
    String approvedPath = tokens.get(0);
    Random random = new Random(20261129);
    Map<Integer, Integer> byStatus = new TreeMap<>();

    for (int i = 0; i < INPUTS; i++) {
      CallbackRequest bad = generate(random, i, approvedPath);
      CallbackResponse answer = f.services.receiver().handle(bad);
      byStatus.merge(answer.status(), 1, Integer::sum);
      assertThat(answer.status())
          .as("input %d: %s %s", i, bad.method(), bad.path())
          .isBetween(400, 499);
      assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    assertThat(f.services.invocation(r.invocationId()).orElseThrow().status())
        .isEqualTo(InvocationStatus.PENDING);
    assertThat(f.services.callbacks(r.invocationId())).isEmpty();
    assertThat(RecordingHandler.SEEN).isEmpty();
    String log = logSince(logStart);
    assertThat(log).doesNotContain("\tat ").doesNotContain("Exception:");
    assertThat(tokens).allSatisfy(t -> assertThat(log).doesNotContain(t));
    assertThat(f.services.events(r.invocationId()).toString()).doesNotContain(tokens.get(0));
    assertThat(byStatus.keySet()).contains(400, 404, 405, 413, 415);
  }

  /** One bad callback of a kind chosen by the index, with random details. */
  static CallbackRequest generate(Random random, int i, String token) {
    String valid = CallbackLoopTest.APPROVED_BODY;
    Map<String, List<String>> json = Map.of("Content-Type", List.of("application/json"));
    return switch (i % 12) {
      case 0 -> post(token, json, valid.substring(0, 1 + random.nextInt(valid.length() - 2)));
      case 1 -> post(token, json, mangle(random, valid));
      case 2 ->
          post(
              token,
              json,
              "{\"applicationNumber\":"
                  + randomScalar(random, false)
                  + ",\"status\":"
                  + randomScalar(random, false)
                  + ",\"approvedAmount\":\""
                  + random.nextInt()
                  + "\"}");
      case 3 ->
          post(
              token,
              json,
              "[".repeat(65 + random.nextInt(100_000)) + "]".repeat(random.nextInt(3)));
      case 4 ->
          post(token, json, "{\"applicationNumber\":\"A\",\"status\":\"x\",\"status\":\"y\"}");
      case 5 -> new CallbackRequest("POST", token, json, invalidUtf8(random), "10.0.0.5");
      case 6 ->
          post(
              token,
              Map.of(
                  "Content-Type",
                  List.of(
                      List.of(
                              "text/plain",
                              "application/xml",
                              "multipart/form-data",
                              "application/x-www-form-urlencoded",
                              "jsonp",
                              "application/json-patch",
                              "")
                          .get(random.nextInt(7)))),
              valid);
      case 7 -> new CallbackRequest("POST", token, json, null, "10.0.0.7");
      case 8 -> post(trick(random, token), json, valid);
      case 9 ->
          new CallbackRequest(
              List.of("GET", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO")
                  .get(random.nextInt(7)),
              token,
              json,
              valid.getBytes(StandardCharsets.UTF_8),
              "10.0.0.9");
      case 10 ->
          post(
              token,
              json,
              "{\"applicationNumber\":\"A\",\"status\":\"x\",\"approvedAmount\":1"
                  + "0".repeat(100 + random.nextInt(10_000))
                  + "}");
      default ->
          post(
              token,
              json,
              "{\"applicationNumber\":\""
                  + "x".repeat(random.nextInt(1000))
                  + "\",\"status\":"
                  + randomScalar(random, true)
                  + "}"
                  + (random.nextBoolean() ? "}" : " trailing"));
    };
  }

  static CallbackRequest post(String path, Map<String, List<String>> headers, String body) {
    return new CallbackRequest(
        "POST", path, headers, body.getBytes(StandardCharsets.UTF_8), "10.0.0.1");
  }

  static String mangle(Random random, String s) {
    char[] c = s.toCharArray();
    int edits = 1 + random.nextInt(4);
    for (int k = 0; k < edits; k++) {
      int at = random.nextInt(c.length);
      String noise = "{}[]\":,\\\u0000x";
      c[at] = noise.charAt(random.nextInt(noise.length()));
    }
    // An edit inside a string could leave a valid callback; the unbalanced tail makes sure it is
    // not.
    return new String(c) + "{";
  }

  static String randomScalar(Random random, boolean invalidOnly) {
    List<String> values =
        invalidOnly
            ? List.of("1", "true", "null", "[]", "{}", "1.5e999")
            : List.of("1", "true", "null", "[]", "{}", "-0");
    return values.get(random.nextInt(values.size()));
  }

  static byte[] invalidUtf8(Random random) {
    byte[] prefix = "{\"status\":\"".getBytes(StandardCharsets.UTF_8);
    byte[][] bad = {
      {(byte) 0xC3, 0x28},
      {(byte) 0xE2, (byte) 0x82},
      {(byte) 0xFF},
      {(byte) 0xF0, (byte) 0x28, (byte) 0x8C}
    };
    byte[] b = bad[random.nextInt(bad.length)];
    byte[] out = new byte[prefix.length + b.length + 2];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(b, 0, out, prefix.length, b.length);
    out[out.length - 2] = '"';
    out[out.length - 1] = '}';
    return out;
  }

  static String trick(Random random, String token) {
    List<String> tricks =
        List.of(
            "../" + token,
            token.substring(1),
            token + "x",
            token.toUpperCase(),
            "%2e%2e/" + token,
            "/" + "/" + token + "/",
            token.substring(0, 42) + "=",
            "Á" + token.substring(1),
            token + "/../../api/invocations",
            "",
            token.substring(0, 42) + "%",
            "A".repeat(43),
            token + "/unknown-suffix");
    String trick = tricks.get(random.nextInt(tricks.size()));
    // A trick must never be the real path (an all-upper-case token stays itself).
    return trick.equals(token) ? token + "x" : trick;
  }

  static String logSince(long offset) throws IOException {
    if (!Files.exists(LOG)) {
      return "";
    }
    byte[] all = Files.readAllBytes(LOG);
    return new String(
        all,
        (int) Math.min(offset, all.length),
        (int) Math.max(0, all.length - offset),
        StandardCharsets.UTF_8);
  }
}
