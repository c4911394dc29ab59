package dev.extsvc.spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Registers OpenAPI 3.0/3.1 documents (JSON or YAML): parses them, resolves {@code $ref}s, builds
 * the {@link ServiceDefinition} and reports every problem with its location. Never throws for a bad
 * document. Immutable and thread-safe.
 */
public final class Registrar {
  /** Documents larger than this are refused unless configured otherwise. */
  public static final long DEFAULT_MAX_JSON_BYTES = 10L * 1024 * 1024;

  public static final long DEFAULT_MAX_YAML_BYTES = 3L * 1024 * 1024;

  private final long maxJsonBytes;
  private final long maxYamlBytes;
  private final List<CorrelationRule> correlations;

  private Registrar(Builder b) {
    this.maxJsonBytes = b.maxJsonBytes;
    this.maxYamlBytes = b.maxYamlBytes;
    this.correlations = List.copyOf(b.correlations);
  }

  /**
   * This registrar with these correlation rules added: a rule's key (of the service registered
   * under the rule's name) becomes awaitable by correlation.
   */
  public Registrar withCorrelations(List<CorrelationRule> rules) {
    Builder b = builder().maxJsonBytes(maxJsonBytes).maxYamlBytes(maxYamlBytes);
    correlations.forEach(b::correlation);
    rules.forEach(b::correlation);
    return b.build();
  }

  /** The correlation rules given besides the documents' own. */
  public List<CorrelationRule> correlations() {
    return correlations;
  }

  public static Registrar defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers a document given as text.
   *
   * @param serviceName the name to give the service, or null to take {@code info.title}
   */
  public Registration register(String document, @Nullable String serviceName) {
    return register(document, serviceName, service -> {});
  }

  private Registration register(
      String document, @Nullable String serviceName, Consumer<ServiceDefinition> meanwhile) {
    DocumentRegistration registration =
        new DocumentRegistration(maxJsonBytes, maxYamlBytes, correlations);
    ServiceDefinition service = null;
    try {
      service = registration.run(document, serviceName, meanwhile);
    } catch (RuntimeException | StackOverflowError e) {
      // a bad document must never escape as an exception; this is a bug in extsvc, said so plainly
      registration
          .findings()
          .error("", "extsvc failed to read this document (please report it): " + e);
    }
    Report report = registration.findings().report();
    return new Registration(report.hasErrors() ? null : service, report);
  }

  /** Registers a document from a file; an unreadable file is reported, not thrown. */
  public Registration register(Path file, @Nullable String serviceName) {
    return registerFile(file, serviceName, service -> {});
  }

  /**
   * Registers a document from a file as {@link #register(Path, String)} does, and meanwhile hands
   * the service to {@code meanwhile}: swagger-parser's structural check takes as long as the rest
   * of a registration, on a thread of its own, and this is work (such as generating a client) that
   * need not wait for it. {@code meanwhile} runs at most once, on the calling thread, only when
   * nothing found before it is an error; its work counts only if the returned registration {@link
   * Registration#ok() is ok}, since the check may still find an error. What it throws is thrown
   * from here once the registration is done, not taken for a fault of the document.
   */
  public Registration register(
      Path file, @Nullable String serviceName, Consumer<ServiceDefinition> meanwhile) {
    var thrown = new AtomicReference<@Nullable RuntimeException>();
    Registration registration =
        registerFile(
            file,
            serviceName,
            service -> {
              try {
                meanwhile.accept(service);
              } catch (RuntimeException e) {
                thrown.set(e);
              }
            });
    RuntimeException failure = thrown.get();
    if (failure != null) {
      throw failure;
    }
    return registration;
  }

  private Registration registerFile(
      Path file, @Nullable String serviceName, Consumer<ServiceDefinition> meanwhile) {
    String failure = DocumentFiles.tooLargeOrUnreadable(file, maxJsonBytes, maxYamlBytes);
    if (failure != null) {
      return new Registration(null, new Report(List.of(Diagnostic.error("", failure))));
    }
    try {
      return register(Files.readString(file, StandardCharsets.UTF_8), serviceName, meanwhile);
    } catch (IOException | UncheckedIOException e) {
      return new Registration(
          null,
          new Report(List.of(Diagnostic.error("", "cannot read " + file + ": " + e.getMessage()))));
    }
  }

  long maxJsonBytes() {
    return maxJsonBytes;
  }

  long maxYamlBytes() {
    return maxYamlBytes;
  }

  /** Builds a {@link Registrar}. */
  public static final class Builder {
    private long maxJsonBytes = DEFAULT_MAX_JSON_BYTES;
    private long maxYamlBytes = DEFAULT_MAX_YAML_BYTES;
    private final List<CorrelationRule> correlations = new java.util.ArrayList<>();

    private Builder() {}

    /** A correlation rule for one callback key, as if the document declared it. */
    public Builder correlation(CorrelationRule rule) {
      correlations.add(java.util.Objects.requireNonNull(rule, "rule"));
      return this;
    }

    public Builder maxJsonBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxJsonBytes must be positive");
      }
      this.maxJsonBytes = bytes;
      return this;
    }

    public Builder maxYamlBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxYamlBytes must be positive");
      }
      this.maxYamlBytes = bytes;
      return this;
    }

    public Registrar build() {
      return new Registrar(this);
    }
  }
}
