package dev.ssekit.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Between the codec and the aggregator: decides on the request head, before any body is read,
 * whether the body may be read at all. It is where publishing and the admin endpoint are
 * authorised ({@link Access}: token, Origin, Host): a publish or admin request that would be
 * refused (or a publish that is not JSON) is answered at once and its body is discarded unread;
 * a body where none is taken ({@link #OTHER_BODY_LIMIT} past {@code /publish}) is refused; every
 * body that is read is counted against the server-wide {@link BodyBudget} ({@code 503} + {@code Retry-After} past
 * it). Tells {@link RequestDeadline} where each request is. Per connection; removed when the
 * connection becomes a stream.
 */
final class RequestGuard extends ChannelInboundHandlerAdapter {

  /** Body bytes accepted by any endpoint but {@code POST /publish} (none needs one). */
  static final int OTHER_BODY_LIMIT = 1024;
  /** How long a refused request's body is read and dropped before the connection is closed. */
  private static final long LINGER_MILLIS = 2_000;

  private final BodyBudget budget;
  private final Access access;
  private final RequestDeadline deadline;
  private final int maxEventBytes;
  /** Bytes reserved for the request being read. */
  private long reserved;
  /** Body bytes still allowed for the request being read (counted as chunks arrive). */
  private long bodyAllowance;
  /** Whether the reservation grows with each chunk (chunked bodies) rather than being made up front. */
  private boolean incremental;
  /** After a refusal: everything the client still sends is dropped unread. */
  private boolean discarding;

  RequestGuard(BodyBudget budget, Access access, RequestDeadline deadline, int maxEventBytes) {
    this.budget = budget;
    this.access = access;
    this.deadline = deadline;
    this.maxEventBytes = maxEventBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (discarding) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest req && !head(ctx, req)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpContent content) {
      int n = content.content().readableBytes();
      if (n > 0) {
        bodyAllowance -= n;
        if (bodyAllowance < 0) {
          refuse(ctx, new Refusal(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body is too large here"), null);
          ReferenceCountUtil.release(msg);
          return;
        }
        if (incremental) {
          if (!budget.tryReserve(n)) {
            refuse(ctx, busy(), "2");
            ReferenceCountUtil.release(msg);
            return;
          }
          reserved += n;
        }
      }
      boolean last = msg instanceof LastHttpContent;
      if (last) deadline.requestRead(); // the newest pending connection before its answer goes out
      ctx.fireChannelRead(msg); // the aggregator; on the last part the router answers before this returns
      if (last) {
        budget.release(reserved);
        reserved = 0;
        deadline.requestDone();
      }
      return;
    }
    ctx.fireChannelRead(msg);
  }

  /** Checks a request head; false when it was refused (answered, body to be discarded). */
  private boolean head(ChannelHandlerContext ctx, HttpRequest req) {
    if (req.decoderResult().isFailure()) {
      deadline.headDone(false);
      return true; // the router answers 400
    }
    boolean chunked = HttpUtil.isTransferEncodingChunked(req);
    long length = chunked ? -1 : HttpUtil.getContentLength(req, 0L);
    boolean bodyFollows = chunked || length > 0;
    String path;
    try {
      path = new QueryStringDecoder(req.uri()).path();
    } catch (IllegalArgumentException badEscape) {
      deadline.headDone(bodyFollows);
      return true; // the router answers 400
    }
    boolean isPublish = path.equals("/publish") && req.method().equals(HttpMethod.POST);
    Refusal refusal = access.refusalAtHead(req, path, ctx.channel());
    if (refusal == null && isPublish) refusal = PublishHandler.contentTypeRefusal(req);
    if (refusal != null) {
      refuse(ctx, refusal, null);
      return false;
    }
    long allowance = isPublish ? maxEventBytes : OTHER_BODY_LIMIT;
    if (length > allowance) {
      refuse(ctx, new Refusal(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, isPublish
          ? "request body is larger than " + maxEventBytes + " bytes (--max-event-bytes); nothing was published"
          : "this endpoint takes no request body (at most " + OTHER_BODY_LIMIT + " bytes)"), null);
      return false;
    }
    bodyAllowance = allowance;
    incremental = chunked;
    if (length > 0) {
      if (!budget.tryReserve(length)) {
        refuse(ctx, busy(), "2");
        return false;
      }
      reserved = length;
    }
    deadline.headDone(bodyFollows);
    return true;
  }

  private Refusal busy() {
    return new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, "the server is reading as many request bodies as it"
        + " holds at once (--max-body-buffer " + budget.limit() + " bytes); retry shortly");
  }

  /**
   * Answers now and stops reading this connection's requests: the rest of the body is dropped as
   * it arrives, the write side is closed after the answer (so the client reads it rather than a
   * reset), and the connection is closed after a short linger.
   */
  private void refuse(ChannelHandlerContext ctx, Refusal refusal, String retryAfter) {
    discarding = true;
    budget.release(reserved);
    reserved = 0;
    deadline.answering();
    if (refusal.status.code() == 503) ServerLog.anomaly("body-budget", "refused a request body: " + refusal.getMessage());
    FullHttpResponse res = refusal.response();
    if (retryAfter != null) res.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(res).addListener(f -> {
      if (ctx.channel() instanceof DuplexChannel duplex && f.isSuccess()) duplex.shutdownOutput();
      else ctx.close();
    });
    ctx.executor().schedule(() -> {
      ctx.close();
    }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    budget.release(reserved);
    reserved = 0;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    budget.release(reserved);
    reserved = 0;
    ctx.fireChannelInactive();
  }
}
