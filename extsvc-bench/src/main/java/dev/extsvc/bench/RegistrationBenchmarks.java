package dev.extsvc.bench;

import dev.extsvc.spec.Registrar;
import dev.extsvc.spec.Registration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Registering a document: parse, validate, compile its operations and callbacks. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RegistrationBenchmarks {
  static final int LARGE_OPERATIONS = 500;

  Registrar registrar = Registrar.defaults();
  String acme;
  String large;

  @Setup
  public void setUp() {
    acme = Specs.acme();
    large = LargeSpec.generate(LARGE_OPERATIONS);
    Registration r = registrar.register(large, null);
    if (!r.ok() || Objects.requireNonNull(r.service()).operations().size() != LARGE_OPERATIONS) {
      throw new IllegalStateException("the large spec does not register: " + r.report());
    }
  }

  @Benchmark
  public Registration acme() {
    return registrar.register(acme, null);
  }

  @Benchmark
  public Registration large500Operations() {
    return registrar.register(large, null);
  }
}
