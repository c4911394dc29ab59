package dev.extsvc.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Work on the service while swagger-parser's check finishes, and what it is told afterwards. */
class RegistrarMeanwhileTest {
  private static final String VALID =
      """
      openapi: 3.0.3
      info: {title: Valid, version: '1'}
      paths:
        /a:
          get:
            responses:
              '200': {description: ok}
      """;

  @TempDir Path dir;

  @Test
  void aValidDocumentsServiceIsHandedOverOnceOnTheCallingThreadAndReturned() throws IOException {
    List<ServiceDefinition> seen = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    Registration r =
        Registrar.defaults()
            .register(
                file(VALID),
                null,
                service -> {
                  seen.add(service);
                  threads.add(Thread.currentThread());
                });
    assertThat(r.ok()).isTrue();
    assertThat(seen).containsExactly(r.service());
    assertThat(threads).containsExactly(Thread.currentThread());
  }

  @Test
  void anErrorOfItsOwnReadingMeansNothingIsHandedOver() throws IOException {
    List<ServiceDefinition> seen = new ArrayList<>();
    Registration r =
        Registrar.defaults()
            .register(
                file(VALID.replace("{description: ok}", "{$ref: '#/components/responses/Gone'}")),
                null,
                seen::add);
    assertThat(r.ok()).isFalse();
    assertThat(seen).isEmpty();
  }

  @Test
  void anErrorOnlySwaggerParserFindsComesAfterTheHandOverAndStillRefusesTheDocument()
      throws IOException {
    // No info.version: only swagger-parser's check says so, and it is an error.
    List<ServiceDefinition> seen = new ArrayList<>();
    Registration r =
        Registrar.defaults()
            .register(
                file(VALID.replace("title: Valid, version: '1'", "title: Valid")), null, seen::add);
    assertThat(seen).hasSize(1);
    assertThat(r.ok()).isFalse();
    assertThat(r.report().errors())
        .anySatisfy(d -> assertThat(d.message()).contains("info.version is missing"));
  }

  @Test
  void whatTheWorkThrowsIsThrownToTheCallerNotReportedAsTheDocumentsFault() throws IOException {
    Path valid = file(VALID);
    assertThatThrownBy(
            () ->
                Registrar.defaults()
                    .register(
                        valid,
                        null,
                        service -> {
                          throw new IllegalStateException("the caller's own bug");
                        }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the caller's own bug");
  }

  private Path file(String text) throws IOException {
    return Files.writeString(dir.resolve("spec.yaml"), text);
  }
}
