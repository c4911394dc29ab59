package dev.extsvc.runtime.credentials;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Reads one credential definition, a {@code type} and its fields, whatever the configuration it is
 * written in: {@code extsvc.yaml} and the Spring properties both read their credentials here, each
 * through {@link Fields}, which looks values up and reports a problem in its own terms (a line and
 * column, a property name).
 *
 * <p>The fields, named as in {@code extsvc.yaml} (a front end may spell them its own way, e.g.
 * kebab-case):
 *
 * <table>
 *   <caption>Credential types and their fields</caption>
 *   <tr><th>type</th><th>fields</th></tr>
 *   <tr><td>apiKey</td><td>in (header, query, cookie), name, value (secret)</td></tr>
 *   <tr><td>bearer</td><td>token (secret)</td></tr>
 *   <tr><td>basic</td><td>username, password (secret)</td></tr>
 *   <tr><td>oauth2ClientCredentials</td><td>tokenUrl, clientId, clientSecret (secret), scopes (list)</td></tr>
 *   <tr><td>mutualTls</td><td>keyStore (file), keyStorePassword (secret), trustStore (file), trustStorePassword
 *   (secret, required with trustStore)</td></tr>
 * </table>
 *
 * Every type also takes {@code headers}, a mapping of header names to values that may be secrets. A
 * type is matched ignoring case, '-' and '_' ({@code apiKey}, {@code api-key} and {@code API_KEY}
 * are one type). Adding a credential kind means a record, a {@link Credential.Kind} and a case
 * here; both configurations follow.
 */
public final class CredentialReader {
  /**
   * Every field of any type, in the order the documentation lists them; a front end may refuse any
   * other.
   */
  public static final List<String> FIELDS =
      List.of(
          "type",
          "in",
          "name",
          "value",
          "token",
          "username",
          "password",
          "tokenUrl",
          "clientId",
          "clientSecret",
          "scopes",
          "keyStore",
          "keyStorePassword",
          "trustStore",
          "trustStorePassword",
          "headers");

  private CredentialReader() {}

  /** How a configuration front end presents the fields of one credential definition. */
  public interface Fields {
    /** A plain value; null when absent. */
    @Nullable String text(String field);

    /** A secret, read the way this configuration writes secrets; null when absent. */
    @Nullable Secret secret(String field);

    /** A file, resolved the way this configuration resolves relative paths; null when absent. */
    @Nullable Path path(String field);

    /** A list of values; empty when absent. */
    List<String> list(String field);

    /** A mapping of names to values that may be secrets (the headers); empty when absent. */
    Map<String, Secret> secrets(String field);

    /**
     * Refuses any field that is set and is not one of {@code known} (the fields of the type being
     * read).
     */
    void only(Set<String> known);

    /**
     * A problem with a field ({@code problem} is a phrase such as "must be ..."), or with the whole
     * when null.
     */
    RuntimeException error(@Nullable String field, String problem);

    /** A required field that is absent; a secret's error may say how secrets are written here. */
    RuntimeException missing(String field, boolean secret);

    /**
     * A name of the configuration's vocabulary (a type or field name) as this configuration spells
     * it.
     */
    default String spelling(String name) {
      return name;
    }
  }

  /**
   * The credential {@code name} defined by {@code fields}.
   *
   * @throws RuntimeException the one {@link Fields} made for the first problem found
   */
  public static Credential read(String name, Fields fields) {
    String typeText = fields.text("type");
    if (typeText == null || typeText.isBlank()) {
      throw fields.missing("type", false);
    }
    Credential.Kind kind = kind(typeText, fields);
    Map<String, Secret> headers = fields.secrets("headers");
    return switch (kind) {
      case API_KEY -> {
        fields.only(Set.of("type", "in", "name", "value", "headers"));
        ApiKey.In in = in(required(fields, "in"), fields);
        String parameter = required(fields, "name");
        Secret value = requiredSecret(fields, "value");
        yield build(fields, () -> new ApiKey(name, in, parameter, value, headers));
      }
      case BEARER -> {
        fields.only(Set.of("type", "token", "headers"));
        Secret token = requiredSecret(fields, "token");
        yield build(fields, () -> new BearerToken(name, token, headers));
      }
      case BASIC -> {
        fields.only(Set.of("type", "username", "password", "headers"));
        String username = required(fields, "username");
        Secret password = requiredSecret(fields, "password");
        yield build(fields, () -> new BasicAuth(name, username, password, headers));
      }
      case OAUTH2_CLIENT_CREDENTIALS -> {
        fields.only(Set.of("type", "tokenUrl", "clientId", "clientSecret", "scopes", "headers"));
        URI tokenUrl = uri(required(fields, "tokenUrl"), fields);
        String clientId = required(fields, "clientId");
        Secret clientSecret = requiredSecret(fields, "clientSecret");
        List<String> scopes = fields.list("scopes");
        yield build(
            fields,
            () ->
                new OAuth2ClientCredentials(
                    name, tokenUrl, clientId, clientSecret, scopes, headers));
      }
      case MUTUAL_TLS -> {
        fields.only(
            Set.of(
                "type",
                "keyStore",
                "keyStorePassword",
                "trustStore",
                "trustStorePassword",
                "headers"));
        Path keyStore = fields.path("keyStore");
        if (keyStore == null) {
          throw fields.missing("keyStore", false);
        }
        Secret keyStorePassword = requiredSecret(fields, "keyStorePassword");
        Path trustStore = fields.path("trustStore");
        Secret trustStorePassword = fields.secret("trustStorePassword");
        yield build(
            fields,
            () ->
                new MutualTls(
                    name, keyStore, keyStorePassword, trustStore, trustStorePassword, headers));
      }
    };
  }

  /** The kind a type names, ignoring case, '-' and '_'. */
  private static Credential.Kind kind(String type, Fields fields) {
    String wanted = normal(type);
    List<String> names = new ArrayList<>();
    for (Credential.Kind k : Credential.Kind.values()) {
      if (normal(k.configName()).equals(wanted)) {
        return k;
      }
      names.add(fields.spelling(k.configName()));
    }
    throw fields.error(
        "type", "must be one of " + String.join(", ", names) + ", not '" + type + "'");
  }

  private static String normal(String name) {
    return name.strip().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
  }

  private static ApiKey.In in(String text, Fields fields) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "header" -> ApiKey.In.HEADER;
      case "query" -> ApiKey.In.QUERY;
      case "cookie" -> ApiKey.In.COOKIE;
      default -> throw fields.error("in", "must be header, query or cookie, not '" + text + "'");
    };
  }

  private static URI uri(String text, Fields fields) {
    try {
      return new URI(text.strip()); // the record checks that it is an absolute http(s) URL
    } catch (java.net.URISyntaxException e) {
      throw fields.error("tokenUrl", "must be a URL, not '" + text + "'");
    }
  }

  private static String required(Fields fields, String field) {
    String v = fields.text(field);
    if (v == null || v.isBlank()) {
      throw fields.missing(field, false);
    }
    return v;
  }

  private static Secret requiredSecret(Fields fields, String field) {
    Secret s = fields.secret(field);
    if (s == null) {
      throw fields.missing(field, true);
    }
    return s;
  }

  /** Runs a record's constructor; its own validation is reported against the whole definition. */
  private static Credential build(Fields fields, Supplier<Credential> constructor) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      throw fields.error(null, String.valueOf(e.getMessage()));
    }
  }
}
