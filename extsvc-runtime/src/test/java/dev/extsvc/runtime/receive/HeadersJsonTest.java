package dev.extsvc.runtime.receive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.CallbackRequest;
import dev.extsvc.runtime.support.Json;
import dev.extsvc.runtime.support.SecretNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class HeadersJsonTest {
  @Test
  void storedHeadersAreTheJsonJacksonWritesLowerCasedSortedAndSecretsMasked() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("X-Zeta", List.of("last"));
    headers.put("Content-Type", List.of("application/json"));
    headers.put("Authorization", List.of("Bearer secret-value"));
    headers.put("X-Quoted", List.of("a \"quoted\" \\ value", "second"));
    headers.put("X-Control", List.of("tab\there \u0001 é 日本"));
    var request = new CallbackRequest("POST", "t", headers, new byte[0], "127.0.0.1");

    String json = CallbackIntake.headersJson(request, SecretNames.DEFAULTS);

    Map<String, String> expected = new TreeMap<>();
    headers.forEach(
        (name, values) -> {
          String lower = name.toLowerCase(java.util.Locale.ROOT);
          expected.put(lower, SecretNames.DEFAULTS.shown(lower, String.join(", ", values)));
        });
    assertThat(json).isEqualTo(Json.write(expected)).doesNotContain("secret-value");
    assertThat(
            CallbackIntake.headersJson(
                new CallbackRequest("POST", "t", Map.of(), new byte[0], "127.0.0.1"),
                SecretNames.DEFAULTS))
        .isEqualTo("{}");
  }
}
