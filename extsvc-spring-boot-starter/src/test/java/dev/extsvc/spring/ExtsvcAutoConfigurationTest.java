package dev.extsvc.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.runtime.CallbackHandler;
import dev.extsvc.runtime.ExternalServices;
import dev.extsvc.runtime.ReceivedCallback;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ExtsvcAutoConfigurationTest {
  @TempDir Path dir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ExtsvcAutoConfiguration.class))
        .withPropertyValues(
            "extsvc.public-base-url=https://app.example.com",
            "extsvc.store.sqlite-file=" + dir.resolve("extsvc.db"));
  }

  static class SingletonHandler implements CallbackHandler {
    @Override
    public void onCallback(String key, List<ReceivedCallback> callbacks) {}
  }

  @Test
  void withoutADataSourceTheStoreIsAnSqliteFileOfItsOwn() {
    runner()
        .withPropertyValues("extsvc.callback-path=/hooks/extsvc")
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(ExternalServices.class);
              assertThat(context.getBean(ExternalServices.class).callbackPath())
                  .isEqualTo("/hooks/extsvc");
              assertThat(dir.resolve("extsvc.db")).exists();
            });
  }

  @Test
  void aCredentialWithoutItsSecretIsReportedByItsPropertyAndNothingElse() {
    runner()
        .withPropertyValues("extsvc.credentials.acme-token.type=bearer")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(ExtsvcConfigException.class)
                  .hasMessage(
                      "extsvc.credentials.acme-token.token: is required (write it as a placeholder, e.g."
                          + " ${ACME_TOKEN})");
            });
  }

  @Test
  void aServiceNamingAnUnknownCredentialIsRefused() {
    runner()
        .withPropertyValues(
            "extsvc.services.acme.endpoint=https://api.acme.example",
            "extsvc.services.acme.credential=missing")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageStartingWith(
                        "extsvc.services.acme.credential: no credential 'missing'"));
  }

  @Test
  void aSpecThatDoesNotExistIsReportedWithItsProperty() {
    runner()
        .withPropertyValues("extsvc.services.acme.spec=classpath:nowhere.json")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageStartingWith(
                        "extsvc.services.acme.spec: cannot read classpath:nowhere.json"));
  }

  @Test
  void aSingletonHandlerBeanIsRefusedBecauseItWouldShareOneInvocationsState() {
    runner()
        .withBean(SingletonHandler.class)
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("must be prototype-scoped"));
  }

  @Test
  void theFailureAnalyzerNamesTheProperty() {
    var analysis =
        new ExtsvcFailureAnalyzer()
            .analyze(
                new RuntimeException(new ExtsvcConfigException("extsvc.callback-path", "bad")));
    assertThat(analysis.getDescription())
        .isEqualTo("extsvc is misconfigured: extsvc.callback-path: bad");
    assertThat(analysis.getAction()).contains("'extsvc.callback-path'");
  }
}
