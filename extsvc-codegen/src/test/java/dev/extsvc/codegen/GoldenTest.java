package dev.extsvc.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.extsvc.spec.ServiceDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated source, compared with reviewed golden files. After an intended change, regenerate
 * them with {@code -Dgolden.update=true} and review the diff.
 */
class GoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final boolean UPDATE = "true".equals(System.getProperty("golden.update"));

  @ParameterizedTest
  @ValueSource(strings = {"acme-mortgages", "pet-store.yaml", "odd-names.yaml", "features.yaml"})
  void generatedSourceMatchesTheGoldenFile(String spec) throws IOException {
    ServiceDefinition service = Fixtures.register(Fixtures.spec(spec));
    String actual = Fixtures.render(JavaClientGenerator.generate(service, "com.example.client"));
    Path golden = GOLDEN.resolve(spec.replaceAll("\\.(yaml|json)$", "") + ".java.txt");
    if (UPDATE) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, actual);
    }
    assertThat(golden).as("golden file; create it with -Dgolden.update=true").exists();
    assertThat(actual).isEqualTo(Files.readString(golden));
  }

  @ParameterizedTest
  @ValueSource(strings = {"acme-mortgages", "pet-store.yaml", "odd-names.yaml", "features.yaml"})
  void generatingTwiceGivesIdenticalBytes(String spec) {
    ServiceDefinition first = Fixtures.register(Fixtures.spec(spec));
    ServiceDefinition second = Fixtures.register(Fixtures.spec(spec));
    assertThat(Fixtures.render(JavaClientGenerator.generate(second, "p")))
        .isEqualTo(Fixtures.render(JavaClientGenerator.generate(first, "p")));
  }
}
