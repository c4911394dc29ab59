package dev.extsvc.spring;

import dev.extsvc.runtime.credentials.CredentialReader;
import dev.extsvc.runtime.credentials.Secret;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The fields of one {@code extsvc.credentials.NAME} entry as the runtime's {@link CredentialReader}
 * asks for them; every problem is an {@link ExtsvcConfigException} naming the property ({@code
 * extsvc.credentials.NAME.token-url}).
 */
final class CredentialProperties implements CredentialReader.Fields {
  private final String prefix;
  private final ExtsvcProperties.Credential c;
  private final Function<String, @Nullable String> environment;

  CredentialProperties(
      String name,
      ExtsvcProperties.Credential credential,
      Function<String, @Nullable String> environment) {
    this.prefix = "extsvc.credentials." + name;
    this.c = credential;
    this.environment = environment;
  }

  /** A field's value as bound from the properties; lists and maps are not here. */
  private @Nullable String value(String field) {
    return switch (field) {
      case "type" -> c.type();
      case "token" -> c.token();
      case "username" -> c.username();
      case "password" -> c.password();
      case "in" -> c.in();
      case "name" -> c.parameterName();
      case "value" -> c.value();
      case "tokenUrl" -> c.tokenUrl();
      case "clientId" -> c.clientId();
      case "clientSecret" -> c.clientSecret();
      case "keyStore" -> c.keyStore();
      case "keyStorePassword" -> c.keyStorePassword();
      case "trustStore" -> c.trustStore();
      case "trustStorePassword" -> c.trustStorePassword();
      default ->
          throw new IllegalArgumentException(
              "no credential field " + field); // a reader bug, not the user's
    };
  }

  @Override
  public @Nullable String text(String field) {
    return value(field);
  }

  @Override
  public @Nullable Secret secret(String field) {
    String v = value(field);
    return v == null || v.isEmpty() ? null : secret(property(field), v);
  }

  /**
   * A value Spring resolved (a placeholder such as {@code ${ACME_TOKEN}}), or a reference it left
   * alone ({@code \${env:NAME}}, {@code \${file:/path}}), which stays a reference read at each
   * callout.
   */
  private Secret secret(String property, String v) {
    String r = v.strip();
    if (!r.startsWith("${")) {
      return Secret.of(v);
    }
    if (!r.startsWith("${env:")
        && !r.startsWith("${file:")) { // Spring leaves a placeholder it cannot resolve as is
      throw new ExtsvcConfigException(
          property, "has a placeholder that nothing resolves (is its variable set?)");
    }
    try {
      return Secret.parse(v, environment);
    } catch (IllegalArgumentException e) { // the message never repeats the value
      throw new ExtsvcConfigException(property, Objects.toString(e.getMessage(), "invalid value"));
    }
  }

  @Override
  public @Nullable Path path(String field) {
    String v = value(field);
    return v == null || v.isBlank() ? null : Path.of(v.strip());
  }

  @Override
  public List<String> list(String field) {
    if (!field.equals("scopes")) {
      throw new IllegalArgumentException("no credential list " + field);
    }
    return c.scopes();
  }

  @Override
  public Map<String, Secret> secrets(String field) {
    if (!field.equals("headers")) {
      throw new IllegalArgumentException("no credential mapping " + field);
    }
    Map<String, Secret> headers = new LinkedHashMap<>();
    c.headers()
        .forEach(
            (h, v) -> {
              String property = property("headers") + "." + h;
              if (v == null || v.isEmpty()) {
                throw new ExtsvcConfigException(property, "must not be empty");
              }
              headers.put(h, secret(property, v));
            });
    return headers;
  }

  /** A field of another type set here is a mistake Spring's binding would pass over in silence. */
  @Override
  public void only(Set<String> known) {
    for (String field : CredentialReader.FIELDS) {
      boolean set =
          switch (field) {
            case "headers" -> !c.headers().isEmpty();
            case "scopes" -> !c.scopes().isEmpty();
            default -> value(field) != null;
          };
      if (set && !known.contains(field)) {
        throw error(field, "is not a field of a " + c.type() + " credential");
      }
    }
  }

  @Override
  public RuntimeException error(@Nullable String field, String problem) {
    return new ExtsvcConfigException(field == null ? prefix : property(field), problem);
  }

  @Override
  public RuntimeException missing(String field, boolean secret) {
    return error(
        field,
        secret ? "is required (write it as a placeholder, e.g. ${ACME_TOKEN})" : "is required");
  }

  /** Spring's spelling: kebab-case; an API key's {@code name} is {@code parameter-name} here. */
  @Override
  public String spelling(String name) {
    return name.equals("name")
        ? "parameter-name"
        : name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private String property(String field) {
    return prefix + "." + spelling(field);
  }
}
