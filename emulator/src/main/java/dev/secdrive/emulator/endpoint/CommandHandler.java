package dev.secdrive.emulator.endpoint;

import dev.secdrive.emulator.firmware.Nexus;
import dev.secdrive.emulator.firmware.Response;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.media.PowerLoss;
import dev.secdrive.protocol.frame.CommandFrame;
import dev.secdrive.protocol.frame.ProtocolErrorFrame;
import dev.secdrive.protocol.frame.ProtocolException;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.sense.ScsiStatus;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes command frames on the target and writes status frames, for one connection (one I_T
 * nexus). With realistic timing a status is written when the drive finishes, so answers may leave
 * out of order; reading pauses while too many are pending or the socket is not writable, so a host
 * that floods the drive is slowed down instead of queued without bound.
 */
public final class CommandHandler extends ChannelInboundHandlerAdapter {

  /** Delayed answers a connection may have pending before reading stops. */
  static final int MAXIMUM_PENDING = 64;

  private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);

  private final Target target;
  private Nexus nexus;
  private int pending;
  private final java.util.ArrayDeque<CommandFrame> queued = new java.util.ArrayDeque<>();
  private final java.util.Set<StatusFrame> delayed =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  public CommandHandler(Target target) {
    this.target = target;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    nexus = new Nexus(String.valueOf(ctx.channel().remoteAddress()));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    target.disconnect(nexus);
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof CommandFrame command)) {
      String kind = msg.getClass().getSimpleName();
      ReferenceCountUtil.release(msg);
      closeWithProtocolError(ctx, "a device accepts only command frames, got " + kind);
      return;
    }
    if (!queued.isEmpty() || !canExecute(ctx)) {
      // One socket read may hold many frames; the device takes them on only as its answers
      // leave, so a host that floods large READs is slowed down, not answered into memory.
      queued.add(command);
      updateAutoRead(ctx);
      return;
    }
    executeAndRelease(ctx, command);
  }

  private void executeAndRelease(ChannelHandlerContext ctx, CommandFrame command) {
    try {
      execute(ctx, command);
    } finally {
      command.release();
    }
  }

  private boolean canExecute(ChannelHandlerContext ctx) {
    return pending < MAXIMUM_PENDING && ctx.channel().isWritable();
  }

  /** Executes queued commands while the connection can take their answers. */
  private void drain(ChannelHandlerContext ctx) {
    boolean ran = false;
    while (!queued.isEmpty() && canExecute(ctx)) {
      executeAndRelease(ctx, queued.poll());
      ran = true;
    }
    if (ran) {
      ctx.flush();
    }
    updateAutoRead(ctx);
  }

  private void execute(ChannelHandlerContext ctx, CommandFrame command) {
    PooledDataIn dataIn = new PooledDataIn(ctx.alloc());
    Response response;
    try {
      response =
          target.execute(
              nexus, command.lun(), command.cdb(), command.dataOut().nioBuffer(), dataIn);
    } catch (PowerLoss e) {
      // A pulled plug: the host gets no answer, only a dropped connection.
      dataIn.release();
      ctx.channel().close();
      return;
    } catch (RuntimeException e) {
      dataIn.release();
      throw e;
    }
    StatusFrame status = statusFrame(command, response, dataIn);
    if (response.delayNanos() <= 0) {
      ctx.write(status, ctx.voidPromise());
      return;
    }
    pending++;
    updateAutoRead(ctx);
    delayed.add(status);
    ctx.executor()
        .schedule(
            () -> {
              if (delayed.remove(status)) {
                pending--;
                ctx.writeAndFlush(status, ctx.voidPromise());
                drain(ctx);
              }
            },
            response.delayNanos(),
            TimeUnit.NANOSECONDS);
  }

  /** Answers still waiting for their drive time are released if the connection goes first. */
  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    for (StatusFrame status : delayed) {
      status.release();
    }
    delayed.clear();
    for (CommandFrame command : queued) {
      command.release();
    }
    queued.clear();
  }

  private static StatusFrame statusFrame(
      CommandFrame command, Response response, PooledDataIn dataIn) {
    long expected = command.expectedDataInLength();
    if (response.status() != ScsiStatus.GOOD) {
      dataIn.release();
      return StatusFrame.checkCondition(command.tag(), expected, response.sense().encode());
    }
    ByteBuf data = dataIn.take(response.dataInLength());
    long actual = data.readableBytes();
    if (actual > expected) {
      // More than the host asked for: send what fits and report the overflow (PROTOCOL.md).
      data.writerIndex(data.readerIndex() + (int) expected);
      return new StatusFrame(
          command.tag(), ScsiStatus.GOOD, actual - expected, false, true, new byte[0], data);
    }
    return StatusFrame.good(command.tag(), expected, data);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    drain(ctx);
    ctx.fireChannelWritabilityChanged();
  }

  private void updateAutoRead(ChannelHandlerContext ctx) {
    boolean read = queued.isEmpty() && canExecute(ctx);
    if (ctx.channel().config().isAutoRead() != read) {
      ctx.channel().config().setAutoRead(read);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException && cause.getCause() instanceof ProtocolException p) {
      closeWithProtocolError(ctx, p.getMessage());
    } else if (cause instanceof IOException) {
      log.debug("{}: connection error: {}", nexus, cause.toString());
      ctx.close();
    } else {
      log.error("{}: unexpected error, closing the connection", nexus, cause);
      closeWithProtocolError(ctx, "internal error: " + cause);
    }
  }

  private void closeWithProtocolError(ChannelHandlerContext ctx, String message) {
    log.warn("{}: protocol error, closing: {}", nexus, message);
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(new ProtocolErrorFrame("protocol error: " + message))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
