package dev.extsvc.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.testing.InMemoryStore;
import dev.extsvc.runtime.testing.SettableClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * An application's test may give the context its own {@link ExternalServices}, here on the runtime
 * test kit's in-memory store and settable clock; the auto-configuration then keeps out of the way.
 */
class OwnRuntimeTest {
  @TempDir Path dir;

  @Test
  void anApplicationsOwnRuntimeOnTheTestKitReplacesTheAutoConfiguredOne() {
    SettableClock clock = new SettableClock();
    InMemoryStore store = new InMemoryStore();
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ExtsvcAutoConfiguration.class))
        .withPropertyValues(
            "extsvc.public-base-url=https://app.example.com",
            "extsvc.store.sqlite-file=" + dir.resolve("extsvc.db"))
        .withBean(
            ExternalServices.class,
            () ->
                ExternalServices.builder()
                    .store(store)
                    .publicBaseUrl("https://tests.example.com")
                    .clock(clock)
                    .startSweeper(false)
                    .build())
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(ExternalServices.class);
              ExternalServices services = context.getBean(ExternalServices.class);
              assertThat(services.store()).isSameAs(store);
              assertThat(services.publicBaseUrl()).isEqualTo("https://tests.example.com");
              clock.advance(Duration.ofHours(1));
              assertThat(services.clock().instant())
                  .isEqualTo(SettableClock.START.plus(Duration.ofHours(1)));
            });
  }
}
