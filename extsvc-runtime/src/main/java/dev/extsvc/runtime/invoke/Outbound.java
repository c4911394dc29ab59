package dev.extsvc.runtime.invoke;

import dev.extsvc.runtime.CredentialCheck;
import dev.extsvc.runtime.ExtsvcException;
import dev.extsvc.runtime.ServiceSettings;
import dev.extsvc.runtime.credentials.ApiKey;
import dev.extsvc.runtime.credentials.BasicAuth;
import dev.extsvc.runtime.credentials.BearerToken;
import dev.extsvc.runtime.credentials.Credential;
import dev.extsvc.runtime.credentials.MutualTls;
import dev.extsvc.runtime.credentials.OAuth2ClientCredentials;
import dev.extsvc.spec.SecurityRequirement;
import dev.extsvc.spec.SecurityScheme;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Everything about calling one service, fixed at build time: its endpoint, HTTP client (its own
 * when it uses mutual TLS or its own connect timeout), address policy, timeouts, size bound and
 * credentials.
 */
final class Outbound {
  static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * A request before credentials are added: they are added again, with a new token, after a 401.
   */
  record Draft(
      String url,
      URI uri,
      String method,
      Map<String, String> headers,
      HttpRequest.BodyPublisher body) {}

  /**
   * A request ready to send, and the OAuth tokens it carries (to forget them if the service answers
   * 401).
   */
  record Ready(HttpRequest request, Map<OAuthTokens, String> tokens) {}

  private final String service;
  private final @Nullable String endpoint;
  private final ServiceSettings settings;
  private final HttpClient http;
  private final AddressPolicy policy;
  private final Duration readTimeout;
  private final Duration totalTimeout;
  private final long maxResponseBytes;
  private final List<Credential> credentials;
  private final Map<String, OAuthTokens> tokens = new LinkedHashMap<>();

  Outbound(
      String service,
      ServiceSettings settings,
      Map<String, Credential> known,
      @Nullable HttpClient shared,
      AddressPolicy policy,
      Duration syncTimeout,
      InstantSource clock) {
    this.service = service;
    this.settings = settings;
    this.endpoint = settings.endpoint() == null ? null : stripSlash(settings.endpoint());
    this.policy = settings.allowPrivateNetwork() ? policy.allowingPrivate() : policy;
    this.totalTimeout = settings.totalTimeout() != null ? settings.totalTimeout() : syncTimeout;
    // Without a read timeout of its own, the total timeout alone decides (the client's timer a
    // second later is
    // only a backstop), so a slow answer always fails with the same, clear reason.
    this.readTimeout =
        settings.readTimeout() != null ? settings.readTimeout() : totalTimeout.plusSeconds(1);
    this.maxResponseBytes = settings.maxResponseBytes();
    List<Credential> own = new ArrayList<>();
    for (String name : settings.credentials()) {
      Credential c = known.get(name);
      if (c == null) {
        throw new IllegalArgumentException(
            "service "
                + service
                + " uses credential '"
                + name
                + "', which is not defined; defined: "
                + known.keySet());
      }
      own.add(c);
    }
    this.credentials = List.copyOf(own);
    MutualTls tls =
        (MutualTls)
            credentials.stream().filter(c -> c instanceof MutualTls).findFirst().orElse(null);
    if (credentials.stream().filter(c -> c instanceof MutualTls).count() > 1) {
      throw new IllegalArgumentException(
          "service " + service + " uses more than one mutual TLS credential");
    }
    if (tls == null && settings.connectTimeout() == null && shared != null) {
      this.http = shared;
    } else {
      HttpClient.Builder b =
          HttpClient.newBuilder()
              .connectTimeout(
                  settings.connectTimeout() != null
                      ? settings.connectTimeout()
                      : DEFAULT_CONNECT_TIMEOUT)
              .followRedirects(HttpClient.Redirect.NEVER);
      if (tls != null) {
        b.sslContext(sslContext(tls));
      }
      this.http = b.build();
    }
    for (Credential c : credentials) {
      if (c instanceof OAuth2ClientCredentials o) {
        tokens.put(o.name(), new OAuthTokens(o, this::sendToken, clock, readTimeout));
      }
    }
  }

  @Nullable String endpoint() {
    return endpoint;
  }

  ServiceSettings settings() {
    return settings;
  }

  List<Credential> credentials() {
    return credentials;
  }

  boolean refreshesOnUnauthorized() {
    return !tokens.isEmpty();
  }

  /**
   * Fails unless one of the operation's alternatives is covered by this service's credentials.
   * Empty requirements, or an anonymous alternative, need nothing.
   */
  void checkSecurity(String operation, List<SecurityRequirement> requirements) {
    if (requirements.isEmpty() || requirements.stream().anyMatch(r -> satisfied(r, credentials))) {
      return;
    }
    throw new ExtsvcException(
        "operation "
            + operation
            + " of service "
            + service
            + " needs "
            + expects(requirements)
            + ", but the service has no matching credential (its credentials: "
            + (credentials.isEmpty()
                ? "none"
                : credentials.stream()
                    .map(c -> c.name() + " (" + c.kind().configName() + ")")
                    .toList())
            + "); nothing was sent");
  }

  static boolean satisfied(SecurityRequirement r, List<Credential> credentials) {
    return r.schemes().stream()
        .allMatch(s -> credentials.stream().anyMatch(c -> CredentialCheck.satisfies(s, c)));
  }

  /**
   * "a credential for http bearer 'auth' (bearer or oauth2ClientCredentials)", alternatives joined
   * by "or".
   */
  static String expects(List<SecurityRequirement> requirements) {
    if (requirements.isEmpty()) {
      return "no credential";
    }
    List<String> alternatives = new ArrayList<>();
    for (SecurityRequirement r : requirements) {
      alternatives.add(
          r.anonymous()
              ? "none"
              : String.join(
                  " and ",
                  r.schemes().stream()
                      .map(s -> s.describe() + " '" + s.name() + "' (" + kinds(s) + ")")
                      .toList()));
    }
    return String.join(" or ", alternatives);
  }

  private static String kinds(SecurityScheme s) {
    return switch (s.type()) {
      case "apiKey" -> "apiKey";
      case "http" ->
          "bearer".equals(s.httpScheme())
              ? "bearer or oauth2ClientCredentials"
              : "basic".equals(s.httpScheme()) ? "basic" : "unsupported";
      case "oauth2", "openIdConnect" -> "oauth2ClientCredentials or bearer";
      case "mutualTLS" -> "mutualTls";
      default -> "unsupported";
    };
  }

  /**
   * Fails unless the URL is on the service's endpoint and its host is an address callouts may go
   * to.
   */
  void checkDestination(String endpoint, URI uri) {
    URI base = URI.create(endpoint);
    if (!Objects.equals(base.getScheme(), uri.getScheme())
        || !base.getHost().equalsIgnoreCase(uri.getHost())
        || base.getPort() != uri.getPort()) {
      throw new ExtsvcException(
          "callout to "
              + uri.getScheme()
              + "://"
              + uri.getHost()
              + " refused: callouts of "
              + service
              + " go only to its endpoint "
              + endpoint);
    }
    checkAddress(uri);
  }

  private void checkAddress(URI uri) {
    String why = policy.refusal(uri.getHost());
    if (why != null) {
      throw new ExtsvcException("callout of " + service + " refused: " + why);
    }
  }

  /** Adds the credentials (fetching an OAuth token when none is fresh) and builds the request. */
  Ready authenticate(Draft draft) throws IOException, InterruptedException {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(draft.headers());
    StringBuilder url = new StringBuilder(draft.url());
    Map<OAuthTokens, String> used = new LinkedHashMap<>();
    for (Credential c : credentials) {
      c.headers().forEach((name, value) -> headers.put(name, value.value()));
      switch (c) {
        case ApiKey k -> {
          switch (k.in()) {
            case HEADER -> headers.put(k.parameterName(), k.value().value());
            case QUERY ->
                url.append(url.indexOf("?") < 0 ? '?' : '&')
                    .append(encode(k.parameterName()))
                    .append('=')
                    .append(encode(k.value().value()));
            case COOKIE ->
                headers.merge(
                    "Cookie",
                    k.parameterName() + "=" + k.value().value(),
                    (old, add) -> old + "; " + add);
          }
        }
        case BearerToken b -> headers.put("Authorization", "Bearer " + b.token().value());
        case BasicAuth b ->
            headers.put(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString(
                            (b.username() + ":" + b.password().value())
                                .getBytes(StandardCharsets.UTF_8)));
        case OAuth2ClientCredentials o -> {
          OAuthTokens source =
              Objects.requireNonNull(
                  tokens.get(o.name()), "the constructor made one per OAuth2 credential");
          String token = source.token();
          used.put(source, token);
          headers.put("Authorization", "Bearer " + token);
        }
        case MutualTls t -> {
          // the client certificate is presented by this service's HTTP client
        }
      }
    }
    // Parsed once when drafted, again only when a credential added to the query.
    URI target = url.length() == draft.url().length() ? draft.uri() : URI.create(url.toString());
    HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(readTimeout);
    if ("http".equalsIgnoreCase(target.getScheme())) {
      // Over plain HTTP the client would ask for an h2c upgrade (Upgrade, HTTP2-Settings headers),
      // which HTTP/1.1 services and proxies reject or choke on; HTTPS still negotiates HTTP/2.
      b.version(HttpClient.Version.HTTP_1_1);
    }
    headers.forEach(
        (name, value) -> {
          try {
            b.header(name, value);
          } catch (IllegalArgumentException e) {
            // the client's message may quote the value, which may be a secret
            throw new ExtsvcException(
                "service "
                    + service
                    + ": header '"
                    + name
                    + "' from its credentials cannot be sent"
                    + " (does its value hold a line break or another control character?)");
          }
        });
    return new Ready(b.method(draft.method(), draft.body()).build(), used);
  }

  /**
   * Forgets the tokens a 401 answer refused, so the next {@link #authenticate} fetches a new one.
   */
  void unauthorized(Ready ready) {
    ready.tokens().forEach(OAuthTokens::rejected);
  }

  /** Sends within the total timeout, reading at most the size bound. */
  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<String>> answer =
        http.sendAsync(request, CappedBody.handler(maxResponseBytes));
    try {
      return answer.get(totalTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new HttpTimeoutException(
          "no complete answer within the total timeout of " + totalTimeout);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(cause);
    } catch (InterruptedException e) {
      answer.cancel(true);
      throw e;
    }
  }

  private HttpResponse<String> sendToken(HttpRequest request)
      throws IOException, InterruptedException {
    checkAddress(request.uri());
    return send(request);
  }

  private static SSLContext sslContext(MutualTls tls) {
    try {
      char[] keyPassword = tls.keyStorePassword().value().toCharArray();
      KeyStore keys = load(tls.keyStore(), keyPassword);
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, keyPassword);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(
          tls.trustStore() == null
              ? null
              : load(
                  tls.trustStore(),
                  Objects.requireNonNull(tls.trustStorePassword()).value().toCharArray()));
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      // the exception's message never holds a password; it may name the file or the key store type
      throw new IllegalArgumentException(
          "credential "
              + tls.name()
              + ": cannot load its key or trust store: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage()),
          e);
    }
  }

  private static KeyStore load(java.nio.file.Path file, char[] password)
      throws GeneralSecurityException, IOException {
    if (!Files.isReadable(file)) {
      throw new IOException("cannot read " + file);
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    KeyStore ks = KeyStore.getInstance(name.endsWith(".jks") ? "JKS" : "PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      ks.load(in, password);
    }
    return ks;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
