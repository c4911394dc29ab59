package dev.extsvc.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command entry: exit codes and the registration report, never a stack trace. */
class CommandTest {
  @TempDir Path out;
  private final StringWriter err = new StringWriter();

  private int generate(Path spec, String pkg) {
    return JavaClientGenerator.generate(spec, pkg, out, new PrintWriter(err));
  }

  @Test
  void aGoodSpecIsWrittenUnderThePackageDirectories() throws Exception {
    assertThat(generate(Fixtures.ACME, "com.acme.mortgages")).isZero();
    assertThat(out.resolve("com/acme/mortgages/AcmeMortgages.java")).exists();
    assertThat(Files.readString(out.resolve("com/acme/mortgages/Contact.java")))
        .contains("public record Contact(");
    // Acme's callbacks do not require a body: the registration report's warnings are shown, no
    // error
    assertThat(err.toString()).doesNotContain("ERROR").doesNotContain("\tat ");
    assertThat(err.toString().lines())
        .allSatisfy(line -> assertThat(line).contains("WARNING").contains("may carry no data"));
  }

  @Test
  void aBadSpecPrintsTheRegistrationErrorsAndExitsWithOne() {
    assertThat(generate(Fixtures.spec("broken.yaml"), "p")).isEqualTo(1);
    assertThat(err.toString())
        .contains("ERROR")
        .contains("not generated")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(out).isEmptyDirectory();
  }

  @Test
  void anErrorOnlySwaggerParserFindsStillWritesNoFile(@TempDir Path specs) throws Exception {
    // The client is generated while swagger-parser's check runs; its error (no info.version)
    // comes after that and must still keep every file from being written.
    Path spec =
        Files.writeString(
            specs.resolve("no-version.yaml"),
            """
            openapi: 3.0.3
            info: {title: No Version}
            paths:
              /a:
                get:
                  responses:
                    '200': {description: ok}
            """);
    assertThat(generate(spec, "p")).isEqualTo(1);
    assertThat(err.toString()).contains("info.version is missing").contains("not generated");
    assertThat(out).isEmptyDirectory();
  }

  @Test
  void aMissingFileIsReportedNotThrown() {
    assertThat(generate(out.resolve("nope.yaml"), "p")).isEqualTo(1);
    assertThat(err.toString()).contains("nope.yaml").doesNotContain("\tat ");
  }

  @Test
  void anInvalidPackageNameIsAUsageError() {
    assertThat(generate(Fixtures.ACME, "com.acme.class")).isEqualTo(2);
    assertThat(err.toString()).contains("not a valid Java package name");
  }
}
