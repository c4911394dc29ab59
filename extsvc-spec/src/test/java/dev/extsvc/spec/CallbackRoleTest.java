package dev.extsvc.spec;

import static dev.extsvc.spec.Documents.finding;
import static dev.extsvc.spec.Documents.orders;
import static dev.extsvc.spec.Documents.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CallbackRoleTest {
  private static String key(String name, String extensions) {
    return name
        + ":\n"
        + extensions.indent(2)
        + "  '{$request.body#/hooks/"
        + name
        + "}':\n    post:\n      responses:\n        '200':\n          description: ok\n";
  }

  private static CallbackRole roleOf(Registration r, String key) {
    return r.service().operations().get(0).callbacks().stream()
        .filter(d -> d.key().equals(key))
        .findFirst()
        .orElseThrow()
        .role();
  }

  @Test
  void aKeyIsFinalUnlessTheDocumentSaysOtherwise() {
    Registration r = register(orders(key("done", "")));
    assertThat(roleOf(r, "done")).isEqualTo(CallbackRole.FINAL);
    assertThat(roleOf(r, "done").describe()).isEqualTo("final");
  }

  @Test
  void readsProgressAndHeartbeatKeysFromTheCallbackObject() {
    Registration r =
        register(
            orders(
                key("status", "x-extsvc-final: false")
                    + key("alive", "x-extsvc-heartbeat: PT1H")
                    + key("done", "x-extsvc-final: true")));
    assertThat(r.report().errors()).isEmpty();
    assertThat(roleOf(r, "status")).isEqualTo(CallbackRole.PROGRESS);
    assertThat(roleOf(r, "alive")).isEqualTo(CallbackRole.heartbeat(Duration.ofHours(1)));
    assertThat(roleOf(r, "alive").describe()).isEqualTo("heartbeat PT1H");
    assertThat(roleOf(r, "done")).isEqualTo(CallbackRole.FINAL);
  }

  @Test
  void badExtensionValuesAreErrorsAtTheirPointer() {
    Registration r =
        register(
            orders(
                key("status", "x-extsvc-final: 'no'")
                    + key("alive", "x-extsvc-heartbeat: soon")
                    + key("both", "x-extsvc-final: true\nx-extsvc-heartbeat: PT5M")));
    assertThat(finding(r, "x-extsvc-final must be true or false").pointer())
        .isEqualTo("/paths/~1orders/post/callbacks/status/x-extsvc-final");
    assertThat(finding(r, "must be a positive ISO-8601 duration").pointer())
        .isEqualTo("/paths/~1orders/post/callbacks/alive/x-extsvc-heartbeat");
    assertThat(finding(r, "a heartbeat key is a progress key").line()).isPositive();
    assertThat(r.ok()).isFalse();
  }

  @Test
  void aHeartbeatMustBePositiveAndCannotBeFinal() {
    assertThatThrownBy(() -> CallbackRole.heartbeat(Duration.ZERO))
        .hasMessageContaining("must be positive");
    assertThatThrownBy(() -> new CallbackRole(true, Duration.ofMinutes(1)))
        .hasMessageContaining("heartbeat key is a progress key");
  }
}
