package dev.extsvc.codegen;

import com.palantir.javapoet.JavaFile;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import dev.extsvc.spec.ServiceDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Specs registered with the real registrar, and generated sources as one comparable text. */
final class Fixtures {
  static final Path ACME = Path.of("../examples/acme-mortgages.json");
  static final Path SPECS = Path.of("src/test/resources/specs");

  private Fixtures() {}

  static Path spec(String name) {
    return name.equals("acme-mortgages") ? ACME : SPECS.resolve(name);
  }

  static ServiceDefinition register(Path spec) {
    Registration r = Registrar.defaults().register(spec, null);
    if (!r.ok()) {
      throw new IllegalStateException(spec + " refused: " + r.report().errors());
    }
    return r.service();
  }

  /** All files, each under a header line with its path, in the generator's order. */
  static String render(List<JavaFile> files) {
    StringBuilder out = new StringBuilder();
    for (JavaFile f : files) {
      out.append("// ===== ")
          .append(f.packageName().replace('.', '/'))
          .append('/')
          .append(f.typeSpec().name())
          .append(".java =====\n")
          .append(f);
    }
    return out.toString();
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
