package dev.extsvc.runtime.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A chat webhook as alerts meet it: records every post and checks its Standard Webhooks signature
 * the way a receiver does, with its own HMAC; answers {@link #status}.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One post: the body and whether its signature matched the secret. */
  public record Post(JsonNode body, boolean signatureValid, String messageId) {
    public String state() {
      return body.path("extsvc").path("state").asText();
    }

    public String rule() {
      return body.path("extsvc").path("rule").asText();
    }

    public String alertId() {
      return body.path("extsvc").path("id").asText();
    }
  }

  public static final String SECRET =
      "whsec_"
          + Base64.getEncoder()
              .encodeToString(
                  new byte[] {
                    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                    23, 24
                  });

  public final List<Post> posts = new CopyOnWriteArrayList<>();
  public volatile int status = 200;
  private final HttpServer server;

  public WebhookReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext(
        "/hooks/T000/B000/secretpart",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          String id = exchange.getRequestHeaders().getFirst("webhook-id");
          String ts = exchange.getRequestHeaders().getFirst("webhook-timestamp");
          String sig = exchange.getRequestHeaders().getFirst("webhook-signature");
          posts.add(new Post(new ObjectMapper().readTree(body), valid(id, ts, sig, body), id));
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
  }

  public URI url() {
    return URI.create(
        "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/T000/B000/secretpart");
  }

  private static boolean valid(String id, String ts, String signature, byte[] body) {
    if (id == null || ts == null || signature == null || !signature.startsWith("v1,")) {
      return false;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      byte[] key = Base64.getDecoder().decode(SECRET.substring("whsec_".length()));
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
      byte[] expected = mac.doFinal(body);
      return MessageDigest.isEqual(expected, Base64.getDecoder().decode(signature.substring(3)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
