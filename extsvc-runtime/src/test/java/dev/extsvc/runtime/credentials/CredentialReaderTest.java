package dev.extsvc.runtime.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The one reader of credential definitions, through a front end held in a map. */
class CredentialReaderTest {
  /** A problem as the front end was told of it. */
  static final class Problem extends RuntimeException {
    final @Nullable String field;

    Problem(@Nullable String field, String message) {
      super((field == null ? "" : field + ": ") + message);
      this.field = field;
    }
  }

  /**
   * Fields from a map: secrets written "secret:VALUE", files resolved under /base, lists
   * comma-separated.
   */
  static final class MapFields implements CredentialReader.Fields {
    final Map<String, String> values;
    @Nullable Set<String> allowed;

    MapFields(Map<String, String> values) {
      this.values = values;
    }

    @Override
    public @Nullable String text(String field) {
      return values.get(field);
    }

    @Override
    public @Nullable Secret secret(String field) {
      String v = values.get(field);
      return v == null ? null : Secret.of(v.substring("secret:".length()));
    }

    @Override
    public @Nullable Path path(String field) {
      String v = values.get(field);
      return v == null ? null : Path.of("/base").resolve(v);
    }

    @Override
    public List<String> list(String field) {
      String v = values.get(field);
      return v == null ? List.of() : List.of(v.split(","));
    }

    @Override
    public Map<String, Secret> secrets(String field) {
      Map<String, Secret> out = new LinkedHashMap<>();
      values.forEach(
          (k, v) -> {
            if (k.startsWith(field + ".")) {
              out.put(k.substring(field.length() + 1), Secret.of(v));
            }
          });
      return out;
    }

    @Override
    public void only(Set<String> known) {
      allowed = known;
    }

    @Override
    public RuntimeException error(@Nullable String field, String problem) {
      return new Problem(field, problem);
    }

    @Override
    public RuntimeException missing(String field, boolean secret) {
      return new Problem(field, secret ? "is a required secret" : "is required");
    }

    @Override
    public String spelling(String name) {
      return name.toUpperCase(java.util.Locale.ROOT);
    }
  }

  static Credential read(Map<String, String> values) {
    return CredentialReader.read("c", new MapFields(values));
  }

  static Problem refused(Map<String, String> values) {
    try {
      read(values);
    } catch (Problem p) {
      return p;
    }
    throw new AssertionError("accepted: " + values);
  }

  @Test
  void everyKindIsReadFromItsFields() {
    assertThat(
            read(
                Map.of(
                    "type",
                    "apiKey",
                    "in",
                    "Cookie",
                    "name",
                    "session",
                    "value",
                    "secret:k1",
                    "headers.X-Tenant",
                    "t1")))
        .isInstanceOfSatisfying(
            ApiKey.class,
            k -> {
              assertThat(k.in()).isEqualTo(ApiKey.In.COOKIE);
              assertThat(k.parameterName()).isEqualTo("session");
              assertThat(k.value().value()).isEqualTo("k1");
              assertThat(k.headers().get("X-Tenant").value()).isEqualTo("t1");
            });
    assertThat(read(Map.of("type", "bearer", "token", "secret:t")))
        .isInstanceOfSatisfying(
            BearerToken.class, b -> assertThat(b.token().value()).isEqualTo("t"));
    assertThat(read(Map.of("type", "basic", "username", "alice", "password", "secret:p")))
        .isInstanceOfSatisfying(BasicAuth.class, b -> assertThat(b.username()).isEqualTo("alice"));
    assertThat(
            read(
                Map.of(
                    "type",
                    "oauth2ClientCredentials",
                    "tokenUrl",
                    "https://auth.example/token",
                    "clientId",
                    "app",
                    "clientSecret",
                    "secret:s",
                    "scopes",
                    "a,b")))
        .isInstanceOfSatisfying(
            OAuth2ClientCredentials.class,
            o -> {
              assertThat(o.tokenUrl()).isEqualTo(URI.create("https://auth.example/token"));
              assertThat(o.scopes()).containsExactly("a", "b");
            });
    assertThat(
            read(
                Map.of(
                    "type", "mutualTls", "keyStore", "client.p12", "keyStorePassword", "secret:k")))
        .isInstanceOfSatisfying(
            MutualTls.class,
            m -> {
              assertThat(m.keyStore()).isEqualTo(Path.of("/base/client.p12"));
              assertThat(m.trustStore()).isNull();
            });
  }

  @Test
  void aTypeIsMatchedIgnoringCaseHyphensAndUnderscores() {
    assertThat(
            read(Map.of("type", "API_KEY", "in", "header", "name", "k", "value", "secret:v"))
                .kind())
        .isEqualTo(Credential.Kind.API_KEY);
    assertThat(
            read(Map.of(
                    "type",
                    "oauth2-client-credentials",
                    "tokenUrl",
                    "https://a.example/t",
                    "clientId",
                    "a",
                    "clientSecret",
                    "secret:s"))
                .kind())
        .isEqualTo(Credential.Kind.OAUTH2_CLIENT_CREDENTIALS);
    assertThat(
            read(Map.of(
                    "type", " Mutual-TLS ", "keyStore", "k.p12", "keyStorePassword", "secret:k"))
                .kind())
        .isEqualTo(Credential.Kind.MUTUAL_TLS);
  }

  @Test
  void anUnknownTypeListsTheTypesAsTheFrontEndSpellsThem() {
    Problem p = refused(Map.of("type", "kerberos"));

    assertThat(p.field).isEqualTo("type");
    assertThat(p)
        .hasMessage(
            "type: must be one of APIKEY, BEARER, BASIC, OAUTH2CLIENTCREDENTIALS, MUTUALTLS, not"
                + " 'kerberos'");
  }

  @Test
  void eachTypeAllowsOnlyItsOwnFields() {
    Map<Map<String, String>, Set<String>> expected =
        Map.of(
            Map.of("type", "apiKey", "in", "query", "name", "k", "value", "secret:v"),
            Set.of("type", "in", "name", "value", "headers"),
            Map.of("type", "bearer", "token", "secret:t"),
            Set.of("type", "token", "headers"),
            Map.of("type", "basic", "username", "u", "password", "secret:p"),
            Set.of("type", "username", "password", "headers"),
            Map.of(
                "type",
                "oauth2ClientCredentials",
                "tokenUrl",
                "https://a.example/t",
                "clientId",
                "a",
                "clientSecret",
                "secret:s"),
            Set.of("type", "tokenUrl", "clientId", "clientSecret", "scopes", "headers"),
            Map.of("type", "mutualTls", "keyStore", "k", "keyStorePassword", "secret:k"),
            Set.of(
                "type",
                "keyStore",
                "keyStorePassword",
                "trustStore",
                "trustStorePassword",
                "headers"));

    expected.forEach(
        (values, fields) -> {
          MapFields f = new MapFields(values);
          CredentialReader.read("c", f);
          assertThat(f.allowed).as(values.get("type")).isEqualTo(fields);
          assertThat(CredentialReader.FIELDS).containsAll(fields); // what front ends list as known
        });
  }

  @Test
  void aMissingFieldIsReportedAsMissingAndSaysWhetherItIsASecret() {
    assertThat(refused(Map.of())).hasMessage("type: is required");
    assertThat(refused(Map.of("type", "apiKey", "name", "k", "value", "secret:v")))
        .hasMessage("in: is required");
    assertThat(refused(Map.of("type", "apiKey", "in", "query", "value", "secret:v")))
        .hasMessage("name: is required");
    assertThat(refused(Map.of("type", "apiKey", "in", "query", "name", "k")))
        .hasMessage("value: is a required secret");
    assertThat(refused(Map.of("type", "bearer"))).hasMessage("token: is a required secret");
    assertThat(refused(Map.of("type", "basic", "password", "secret:p")))
        .hasMessage("username: is required");
    assertThat(
            refused(
                Map.of(
                    "type",
                    "oauth2ClientCredentials",
                    "clientId",
                    "a",
                    "clientSecret",
                    "secret:s")))
        .hasMessage("tokenUrl: is required");
    assertThat(refused(Map.of("type", "mutualTls", "keyStore", "k")))
        .hasMessage("keyStorePassword: is a required" + " secret");
    assertThat(refused(Map.of("type", "mutualTls", "keyStorePassword", "secret:k")))
        .hasMessage("keyStore: is" + " required");
  }

  @Test
  void badValuesAreReportedAtTheirFieldAndTheRecordsOwnChecksAtTheWhole() {
    assertThat(refused(Map.of("type", "apiKey", "in", "body", "name", "k", "value", "secret:v")))
        .hasMessage("in: must be header, query or cookie, not 'body'");
    assertThat(
            refused(
                Map.of(
                    "type",
                    "oauth2ClientCredentials",
                    "tokenUrl",
                    "https://a example",
                    "clientId",
                    "a",
                    "clientSecret",
                    "secret:s")))
        .hasMessage("tokenUrl: must be a URL, not 'https://a example'");
    Problem relative =
        refused(
            Map.of(
                "type",
                "oauth2ClientCredentials",
                "tokenUrl",
                "/token",
                "clientId",
                "a",
                "clientSecret",
                "secret:s"));
    assertThat(relative.field).isNull();
    assertThat(relative).hasMessageContaining("tokenUrl must be an absolute http(s) URL");
    Problem trust =
        refused(
            Map.of(
                "type",
                "mutualTls",
                "keyStore",
                "k",
                "keyStorePassword",
                "secret:k",
                "trustStore",
                "t"));
    assertThat(trust.field).isNull();
    assertThat(trust).hasMessage("credential c: a trust store needs its password");
    Map<String, String> badHeader = new HashMap<>(Map.of("type", "bearer", "token", "secret:t"));
    badHeader.put("headers.Bad Header", "x");
    assertThat(refused(badHeader).field).isNull();
    assertThatThrownBy(
            () ->
                CredentialReader.read(
                    "bad name", new MapFields(Map.of("type", "bearer", "token", "secret:t"))))
        .isInstanceOf(Problem.class)
        .hasMessageContaining("credential name 'bad name'");
  }
}
