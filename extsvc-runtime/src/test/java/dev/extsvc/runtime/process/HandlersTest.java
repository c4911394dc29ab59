package dev.extsvc.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ReceivedCallback;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HandlersTest {
  static final class Stateful implements CallbackHandler {
    private String applicant;
    private int attempts;
    private transient Object connection = new Object();

    private Stateful() {}

    Stateful(String applicant, int attempts) {
      this.applicant = applicant;
      this.attempts = attempts;
    }

    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {}
  }

  /** Not a handler: a class name from a tampered store must not be instantiated. */
  static final class NotAHandler {}

  @Test
  void aHandlerIsStoredAsItsFieldsAndReCreatedWithThem() throws Exception {
    Handlers handlers = new Handlers(Set.of(Stateful.class), List.of(), Handlers.JACKSON_FACTORY);

    String state = handlers.stateOf(new Stateful("Alice", 3));
    Stateful again = (Stateful) handlers.recreate(Stateful.class.getName(), state);

    assertThat(state).contains("Alice").doesNotContain("connection");
    assertThat(again.applicant).isEqualTo("Alice");
    assertThat(again.attempts).isEqualTo(3);
  }

  @Test
  void aTypeThatWasNeverAllowedIsNotInstantiated() {
    Handlers handlers = new Handlers(Set.of(), List.of(), Handlers.JACKSON_FACTORY);

    assertThatThrownBy(() -> handlers.recreate(Stateful.class.getName(), "{}"))
        .hasMessageContaining("not allowed");
  }

  @Test
  void anAllowedPackageStillRequiresTheHandlerContract() {
    Handlers handlers =
        new Handlers(Set.of(), List.of("dev.extsvc.runtime"), Handlers.JACKSON_FACTORY);

    assertThatThrownBy(() -> handlers.recreate(NotAHandler.class.getName(), "{}"))
        .hasMessageContaining("is not a CallbackHandler");
  }

  @Test
  void aHandlerUsedInThisProcessIsAllowedBack() throws Exception {
    Handlers handlers = new Handlers(Set.of(), List.of(), Handlers.JACKSON_FACTORY);
    String state = handlers.stateOf(new Stateful("Bob", 1));

    assertThat(handlers.recreate(Stateful.class.getName(), state)).isInstanceOf(Stateful.class);
  }
}
