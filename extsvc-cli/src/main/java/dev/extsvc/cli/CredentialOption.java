package dev.extsvc.cli;

import dev.extsvc.runtime.credentials.ApiKey;
import dev.extsvc.runtime.credentials.BasicAuth;
import dev.extsvc.runtime.credentials.BearerToken;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.runtime.credentials.Secret;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A credential given on the command line ({@code serve --credential NAME=FORM}), for a start
 * without a configuration file. The forms, secrets always by reference (never the value, which
 * would show in the process list and the shell's history):
 *
 * <ul>
 *   <li>{@code bearer:SECRET}
 *   <li>{@code basic:USER:SECRET}
 *   <li>{@code api-key:header:NAME:SECRET}, {@code api-key:query:NAME:SECRET}, {@code
 *       api-key:cookie:NAME:SECRET}
 * </ul>
 *
 * where SECRET is {@code ${env:VARIABLE}} or {@code ${file:/path}} (single-quoted in a shell, which
 * would expand {@code ${...}} itself), or the shorter {@code env:VARIABLE} / {@code file:/path}.
 */
final class CredentialOption {
  static final String FORMS =
      "bearer:SECRET, basic:USER:SECRET, api-key:header|query|cookie:NAME:SECRET; "
          + "SECRET is ${env:VARIABLE} or ${file:/path}";

  private CredentialOption() {}

  static Credential parse(String name, String form, Map<String, String> environment) {
    int colon = form.indexOf(':');
    String kind = colon < 0 ? form : form.substring(0, colon).toLowerCase(Locale.ROOT);
    String rest = colon < 0 ? "" : form.substring(colon + 1);
    try {
      return switch (kind) {
        case "bearer" -> new BearerToken(name, secret(name, rest, environment::get));
        case "basic" -> {
          int c = rest.indexOf(':');
          if (c <= 0) {
            throw invalid(name, "basic needs USER:SECRET");
          }
          yield new BasicAuth(
              name, rest.substring(0, c), secret(name, rest.substring(c + 1), environment::get));
        }
        case "api-key", "apikey" -> {
          String[] parts = rest.split(":", 3);
          if (parts.length < 3) {
            throw invalid(name, "api-key needs header|query|cookie:NAME:SECRET");
          }
          ApiKey.In in =
              switch (parts[0].toLowerCase(Locale.ROOT)) {
                case "header" -> ApiKey.In.HEADER;
                case "query" -> ApiKey.In.QUERY;
                case "cookie" -> ApiKey.In.COOKIE;
                default ->
                    throw invalid(
                        name,
                        "an API key goes in a header, query or cookie, not '" + parts[0] + "'");
              };
          yield new ApiKey(name, in, parts[1], secret(name, parts[2], environment::get));
        }
        default -> throw invalid(name, "unknown kind '" + kind + "'");
      };
    } catch (IllegalArgumentException e) {
      throw String.valueOf(e.getMessage()).startsWith("--credential ")
          ? e
          : new IllegalArgumentException("--credential " + name + ": " + e.getMessage());
    }
  }

  private static Secret secret(
      String name, String reference, Function<String, @Nullable String> environment) {
    String r = reference.strip();
    if (r.startsWith("env:") || r.startsWith("file:")) {
      r = "${" + r + "}";
    }
    if (r.isEmpty()) {
      throw invalid(name, "the secret is missing");
    }
    return Secret.parse(
        r, environment); // its message never repeats the text, which may be the secret itself
  }

  private static IllegalArgumentException invalid(String name, String why) {
    return new IllegalArgumentException(
        "--credential " + name + ": " + why + " (forms: " + FORMS + ")");
  }
}
