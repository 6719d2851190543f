package io.github.sensecapexporter.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a limit: a larger one is refused as soon as its {@code
 * Content-Length} or its bytes say so, and reading stops there, so that a runaway answer cannot
 * fill the heap.
 */
final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
  /** A body past the limit: the {@code too_large} of the errors counter. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(long limit) {
      super("the body is larger than " + limit + " bytes");
    }
  }

  private final int limit;
  private final boolean refused;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private CappedBody(int limit, boolean refused) {
    this.limit = limit;
    this.refused = refused;
  }

  /** Bodies of at most {@code limit} bytes. */
  static HttpResponse.BodyHandler<byte[]> handler(int limit) {
    return info -> {
      long length;
      try {
        length = info.headers().firstValueAsLong("Content-Length").orElse(-1);
      } catch (NumberFormatException e) {
        // The client refuses a malformed length itself.
        length = -1;
      }
      return new CappedBody(limit, length > limit);
    };
  }

  @Override
  public void onSubscribe(Flow.Subscription newSubscription) {
    subscription = newSubscription;
    if (refused) {
      tooLarge();
    } else {
      subscription.request(Long.MAX_VALUE);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    for (ByteBuffer buffer : buffers) {
      if (body.isDone()) {
        return;
      }
      if (buffer.remaining() > limit - bytes.size()) {
        tooLarge();
        return;
      }
      byte[] chunk = new byte[buffer.remaining()];
      buffer.get(chunk);
      bytes.write(chunk, 0, chunk.length);
    }
  }

  private void tooLarge() {
    subscription.cancel();
    body.completeExceptionally(new TooLargeException(limit));
  }

  @Override
  public void onError(Throwable failure) {
    body.completeExceptionally(failure);
  }

  @Override
  public void onComplete() {
    body.complete(bytes.toByteArray());
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }
}
