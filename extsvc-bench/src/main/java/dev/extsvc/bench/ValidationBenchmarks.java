package dev.extsvc.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.runtime.support.PayloadValidator;
import dev.extsvc.spec.CallbackDefinition;
import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.ServiceDefinition;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** A callback body against its schema, as the receiver checks it (Acme's approved callback). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ValidationBenchmarks {
  Function<String, List<String>> validator;

  @Setup
  public void setUp() {
    ServiceDefinition acme =
        Objects.requireNonNull(Registrar.defaults().register(Specs.acme(), null).service());
    CallbackDefinition approved =
        acme.operation(Specs.SUBMIT).orElseThrow().callbacks().stream()
            .filter(d -> d.key().equals(Specs.APPROVED))
            .findFirst()
            .orElseThrow();
    JsonNode schema =
        Objects.requireNonNull(Objects.requireNonNull(approved.requestBody()).schema());
    // the runtime's own validator, through the documented test hook (the non-API support package)
    validator = PayloadValidator.compile(schema, acme.openApiVersion())::validate;
    if (!validator.apply(Specs.APPROVED_BODY).isEmpty()
        || validator.apply("{\"status\":1}").isEmpty()) {
      throw new IllegalStateException("the validator does not tell valid from invalid");
    }
  }

  @Benchmark
  public List<String> validBody() {
    return validator.apply(Specs.APPROVED_BODY);
  }

  @Benchmark
  public List<String> invalidBody() {
    return validator.apply("{\"applicationNumber\":7,\"approvedAmount\":\"lots\"}");
  }
}
