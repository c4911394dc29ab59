package dev.extsvc.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Function;

/**
 * Opens the runtime's package-private {@link PayloadValidator} to the benchmarks (same package, bench module only),
 * so what is measured is the validator the receiver uses, with its configuration, not a look-alike.
 */
public final class BenchValidators {
  private BenchValidators() {}

  public static Function<String, List<String>> compile(JsonNode schema, String openApiVersion) {
    PayloadValidator validator = PayloadValidator.compile(schema, openApiVersion);
    return validator::validate;
  }
}
