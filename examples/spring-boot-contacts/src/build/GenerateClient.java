import dev.extsvc.codegen.JavaClientGenerator;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Build step: generates the typed client of a spec (arguments: spec, package, output directory). */
class GenerateClient {
  public static void main(String[] args) {
    System.exit(JavaClientGenerator.generate(Path.of(args[0]), args[1], Path.of(args[2]),
        new PrintWriter(System.err, true)));
  }
}
