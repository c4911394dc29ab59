package dev.extsvc.runtime.invoke;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads an answer as UTF-8 text up to a size; a larger answer fails as soon as it passes the bound.
 */
final class CappedBody implements HttpResponse.BodySubscriber<String> {
  private final long max;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<String> result = new CompletableFuture<>();
  private Flow.@org.jspecify.annotations.Nullable Subscription subscription;

  private CappedBody(long max) {
    this.max = max;
  }

  /** Refuses a declared oversize answer before reading it, and counts what is read otherwise. */
  static HttpResponse.BodyHandler<String> handler(long max) {
    return info -> {
      long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
      CappedBody body = new CappedBody(max);
      if (declared > max) {
        body.result.completeExceptionally(tooLarge(max));
      }
      return body;
    };
  }

  static IOException tooLarge(long max) {
    return new IOException(
        "the answer is larger than the limit of " + max + " bytes (maxResponseBytes)");
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    this.subscription = s;
    if (result.isDone()) {
      s.cancel();
    } else {
      s.request(Long.MAX_VALUE);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer b : buffers) {
      if (bytes.size() + (long) b.remaining() > max) {
        result.completeExceptionally(tooLarge(max));
        if (subscription != null) {
          subscription.cancel();
        }
        return;
      }
      byte[] chunk = new byte[b.remaining()];
      b.get(chunk);
      bytes.writeBytes(chunk);
    }
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    result.complete(bytes.toString(StandardCharsets.UTF_8));
  }

  @Override
  public CompletionStage<String> getBody() {
    return result;
  }
}
