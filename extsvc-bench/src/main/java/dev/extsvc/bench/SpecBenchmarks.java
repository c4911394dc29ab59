package dev.extsvc.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.extsvc.spec.ExpressionTemplate;
import dev.extsvc.spec.InjectionTarget;
import dev.extsvc.spec.RequestParts;
import dev.extsvc.spec.RuntimeExpression;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Runtime expressions: parsed at registration, injected on every invocation. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SpecBenchmarks {
  static final String URL =
      "https://hooks.example.com/callbacks/0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

  JsonNode application;
  InjectionTarget body = InjectionTarget.fromId("body:/callbackUrlForOutcomes/approved");
  InjectionTarget query = InjectionTarget.fromId("query:callbackUrlForErrorCases");

  @Setup
  public void setUp() {
    application = Json.readTrusted(Specs.applicationJson(1));
  }

  @Benchmark
  public RuntimeExpression parseExpression() {
    return RuntimeExpression.parse("$request.body#/callbackUrlForOutcomes/approved");
  }

  @Benchmark
  public ExpressionTemplate parseTemplate() {
    return ExpressionTemplate.parse(
        "{$request.body#/callbackUrlForOutcomes/approved}/events?kind=final");
  }

  /**
   * What an Acme invocation does: copy the caller's request, write three URLs (two in the body, one
   * in the query).
   */
  @Benchmark
  public RequestParts copyAndInjectThree() {
    RequestParts parts = RequestParts.fromJson(application);
    body.inject(parts, URL);
    InjectionTarget.fromId("body:/callbackUrlForOutcomes/rejected").inject(parts, URL);
    query.inject(parts, URL);
    return parts;
  }

  @Benchmark
  public RequestParts injectBodyPointer() {
    RequestParts parts = new RequestParts();
    body.inject(parts, URL);
    return parts;
  }
}
