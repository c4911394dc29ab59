package dev.extsvc.runtime.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.extsvc.runtime.StoreStub;
import dev.extsvc.runtime.store.Store;
import dev.extsvc.runtime.store.StoreUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The measured store reaches the store's own implementation of every method, defaults included,
 * times each call and counts failures by kind.
 */
class MeteredStoreTest {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void aDefaultMethodTheStoreOverridesReachesTheStoreNotTheInterfacesDefault() {
    StoreStub stub = new StoreStub().answer("sharedClock", a -> true);
    Store metered = MeteredStore.of(stub.store(), registry);

    assertThat(metered.sharedClock()).isTrue();
    assertThat(stub.calls("sharedClock")).hasSize(1);
    assertThat(registry.get("extsvc.store.duration").tag("method", "sharedClock").timer().count())
        .isEqualTo(1);
  }

  @Test
  void failuresAreCountedByMethodAndKindAndRethrownUnchanged() {
    StoreUnavailableException down = new StoreUnavailableException("database down", null);
    StoreStub stub =
        new StoreStub()
            .answer(
                "invocation",
                a -> {
                  throw down;
                })
            .answer(
                "sharedTime",
                a -> {
                  throw new IllegalStateException("no clock");
                });
    Store metered = MeteredStore.of(stub.store(), registry);

    assertThatThrownBy(() -> metered.invocation(UUID.randomUUID())).isSameAs(down);
    assertThatThrownBy(metered::sharedTime).isInstanceOf(IllegalStateException.class);

    assertThat(
            registry
                .get("extsvc.store.errors")
                .tags("method", "invocation", "error", "unavailable")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(
            registry
                .get("extsvc.store.errors")
                .tags("method", "sharedTime", "error", "other")
                .counter()
                .count())
        .isEqualTo(1.0);
    assertThat(registry.get("extsvc.store.duration").tag("method", "invocation").timer().count())
        .isEqualTo(1);
  }

  @Test
  void everyStoreMethodHasItsTimerFromTheStart() {
    MeteredStore.of(new StoreStub().store(), registry);

    for (var m : Store.class.getMethods()) {
      if (!java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
        assertThat(registry.find("extsvc.store.duration").tag("method", m.getName()).timer())
            .as(m.getName())
            .isNotNull();
      }
    }
    assertThat(registry.find("extsvc.store.errors").counters()).isEmpty();
  }
}
