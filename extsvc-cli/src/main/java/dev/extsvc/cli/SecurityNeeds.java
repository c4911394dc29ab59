package dev.extsvc.cli;

import dev.extsvc.runtime.CredentialCheck;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.spec.Diagnostic;
import dev.extsvc.spec.SecurityRequirement;
import dev.extsvc.spec.SecurityScheme;
import dev.extsvc.spec.ServiceDefinition;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an operation's {@code security} asks of extsvc, in the credential kinds of {@code
 * extsvc.yaml} and {@code --credential}, for {@code check} (per operation) and {@code serve} (one
 * line per service).
 */
final class SecurityNeeds {
  private SecurityNeeds() {}

  /**
   * "bearer or oauth2ClientCredentials (http bearer 'auth')", alternatives joined by " or ", "none"
   * if none.
   */
  static String describe(List<SecurityRequirement> requirements) {
    if (requirements.isEmpty() || requirements.stream().anyMatch(SecurityRequirement::anonymous)) {
      return "none";
    }
    List<String> alternatives = new ArrayList<>();
    for (SecurityRequirement r : requirements) {
      alternatives.add(
          String.join(
              " and ",
              r.schemes().stream()
                  .map(s -> kinds(s) + " (" + s.describe() + " '" + s.name() + "')")
                  .toList()));
    }
    return String.join(" or ", alternatives);
  }

  /** The credential kinds that satisfy a scheme, as the runtime matches them. */
  static String kinds(SecurityScheme s) {
    return switch (s.type()) {
      case "apiKey" -> "apiKey in " + s.in() + " " + s.parameterName();
      case "http" ->
          "bearer".equals(s.httpScheme())
              ? "bearer or oauth2ClientCredentials"
              : "basic".equals(s.httpScheme()) ? "basic" : "unsupported http " + s.httpScheme();
      case "oauth2", "openIdConnect" -> "oauth2ClientCredentials or bearer";
      case "mutualTLS" -> "mutualTls";
      default -> "unsupported";
    };
  }

  /**
   * Whether the given credentials cover one alternative of the requirements (or none is needed).
   */
  static boolean covered(List<SecurityRequirement> requirements, List<Credential> credentials) {
    return requirements.isEmpty()
        || requirements.stream()
            .anyMatch(
                r ->
                    r.anonymous()
                        || r.schemes().stream()
                            .allMatch(
                                s ->
                                    credentials.stream()
                                        .anyMatch(c -> CredentialCheck.satisfies(s, c))));
  }

  /**
   * The registration's per-operation warning about a missing credential, which serve sums up per
   * service.
   */
  static boolean isCredentialWarning(Diagnostic d) {
    return d.severity() == dev.extsvc.spec.Severity.WARNING
        && d.message().startsWith("operation ")
        && d.message().contains("has no matching credential");
  }

  /**
   * One line for a service some of whose operations cannot be called for want of a credential,
   * naming the schemes and how to give one; empty when every operation is covered.
   */
  static Optional<String> unmetLine(ServiceDefinition service, List<CredentialCheck> checks) {
    List<CredentialCheck> unmet = checks.stream().filter(c -> !c.satisfied()).toList();
    if (unmet.isEmpty()) {
      return Optional.empty();
    }
    Set<String> schemes = new LinkedHashSet<>();
    var security = dev.extsvc.spec.ServiceSecurity.of(service);
    unmet.forEach(
        c ->
            security
                .requirements(c.operation())
                .forEach(r -> r.schemes().forEach(s -> schemes.add(s.name() + ": " + kinds(s)))));
    return Optional.of(
        String.format(
            "warning: %s: %d of %d operations need a credential (%s) and will be refused;"
                + " see extsvc serve --help",
            service.name(), unmet.size(), checks.size(), String.join("; ", schemes)));
  }
}
