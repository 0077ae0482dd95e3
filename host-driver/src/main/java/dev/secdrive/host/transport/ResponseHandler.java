package dev.secdrive.host.transport;

import dev.secdrive.host.api.TransportException;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.ProtocolException;
import dev.secdrive.protocol.frame.StatusFrame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Matches status frames to outstanding commands by tag. When the connection ends, every command
 * still waiting fails with the reason: the device's protocol error, a broken frame, or the loss.
 */
final class ResponseHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ResponseHandler.class);

  /** A command waiting for its status. */
  static final class Pending {
    final CompletableFuture<StatusFrame> future = new CompletableFuture<>();
    final String description;
    volatile ScheduledFuture<?> timeout;

    Pending(String description) {
      this.description = description;
    }
  }

  final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
  private final String target;
  private volatile String closeReason;

  ResponseHandler(String target) {
    this.target = target;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof StatusFrame status) {
      Pending waiting = pending.remove(status.tag());
      if (waiting == null) {
        log.debug("{}: dropping status for tag {} (timed out or unknown)", target, status.tag());
        status.release();
        return;
      }
      cancelTimeout(waiting);
      if (!waiting.future.complete(status)) {
        status.release();
      }
    } else if (msg instanceof ProtocolErrorFrame error) {
      closeReason = "device closed the connection: " + error.message();
      ctx.close();
    } else {
      ReferenceCountUtil.release(msg);
      closeReason = "protocol error: the device sent a " + msg.getClass().getSimpleName();
      ctx.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && cause.getCause() instanceof ProtocolException p) {
      closeReason = "protocol error from device: " + p.getMessage();
    } else if (closeReason == null) {
      closeReason = "connection to " + target + " failed: " + cause.getMessage();
    }
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    String reason = closeReason != null ? closeReason : "connection to " + target + " lost";
    failAll(reason);
    ctx.fireChannelInactive();
  }

  void closing(String reason) {
    if (closeReason == null) {
      closeReason = reason;
    }
  }

  void failAll(String reason) {
    for (Integer tag : pending.keySet()) {
      Pending waiting = pending.remove(tag);
      if (waiting != null) {
        cancelTimeout(waiting);
        waiting.future.completeExceptionally(
            new TransportException(reason + " (" + waiting.description + " did not complete)"));
      }
    }
  }

  private static void cancelTimeout(Pending waiting) {
    ScheduledFuture<?> timeout = waiting.timeout;
    if (timeout != null) {
      timeout.cancel(false);
    }
  }
}
