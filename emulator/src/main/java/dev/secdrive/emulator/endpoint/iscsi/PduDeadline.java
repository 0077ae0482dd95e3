package dev.secdrive.emulator.endpoint.iscsi;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose PDU, once begun, is not whole in time, and one that has not finished
 * its login in time: an initiator that opens connections and sends part of a header, or nothing,
 * holds a slot of the portal only that long. Each PDU has its own time, as on the TCP endpoint.
 * Times run on the channel's event loop.
 */
final class PduDeadline extends ChannelInboundHandlerAdapter {

  private final IscsiPduDecoder decoder;
  private final long pduNanos;
  private final long loginNanos;
  private final java.util.function.BooleanSupplier loggedIn;
  private ScheduledFuture<?> deadline;
  private ScheduledFuture<?> login;

  PduDeadline(
      IscsiPduDecoder decoder,
      Duration pduTimeout,
      Duration loginTimeout,
      java.util.function.BooleanSupplier loggedIn) {
    this.decoder = decoder;
    this.pduNanos = pduTimeout.toNanos();
    this.loginNanos = loginTimeout.toNanos();
    this.loggedIn = loggedIn;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    login =
        ctx.executor()
            .schedule(
                () -> {
                  if (!loggedIn.getAsBoolean()) {
                    ctx.close();
                  }
                },
                loginNanos,
                TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    long before = decoder.decoded();
    ctx.fireChannelRead(msg); // the decoder takes what is whole
    if (decoder.buffered() == 0 || decoder.decoded() != before) {
      cancel(); // no PDU begun, or a new one begun in this read
    }
    if (decoder.buffered() > 0 && deadline == null) {
      deadline = ctx.executor().schedule(() -> ctx.close(), pduNanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    login.cancel(false);
    ctx.fireChannelInactive();
  }

  private void cancel() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
