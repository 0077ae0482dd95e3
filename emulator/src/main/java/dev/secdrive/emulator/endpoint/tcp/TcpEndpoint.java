package dev.secdrive.emulator.endpoint.tcp;

import dev.secdrive.emulator.endpoint.CommandHandler;
import dev.secdrive.emulator.endpoint.Endpoint;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.TcpFrameDecoder;
import dev.secdrive.protocol.frame.TcpFrameEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * A TCP listener serving a target: one connection per host, one I_T nexus per connection. The
 * pipeline is length-prefixed framing in front of the shared {@link CommandHandler}.
 */
public final class TcpEndpoint implements Endpoint {

  private final InetSocketAddress requested;
  private Channel server;

  /** A listener on {@code address}; port 0 picks a free one. */
  public TcpEndpoint(InetSocketAddress address) {
    this.requested = address;
  }

  @Override
  public void start(Target target, Context context) {
    if (server != null) {
      throw new IllegalStateException("already listening on " + description());
    }
    int maximumFrame = Frame.maximumFrameLength(context.maximumDataLength());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(context.boss(), context.workers())
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.RCVBUF_ALLOCATOR,
                new AdaptiveRecvByteBufAllocator(512, 64 << 10, 1 << 20))
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel
                        .pipeline()
                        .addLast("frameDecoder", new TcpFrameDecoder(maximumFrame))
                        .addLast("frameEncoder", TcpFrameEncoder.INSTANCE)
                        .addLast(
                            "commands",
                            new CommandHandler.OnChannel(target, context.answerDelays()));
                  }
                });
    try {
      server = bootstrap.bind(requested).syncUninterruptibly().channel();
    } catch (Exception e) {
      String reason = e instanceof BindException ? e.getMessage() : e.toString();
      throw new UncheckedIOException(
          new IOException(
              "cannot listen on "
                  + requested.getHostString()
                  + ":"
                  + requested.getPort()
                  + ": "
                  + reason,
              e));
    }
  }

  /** The address hosts connect to: after {@link #start}, with the port actually bound. */
  public InetSocketAddress address() {
    return server == null ? requested : (InetSocketAddress) server.localAddress();
  }

  @Override
  public String description() {
    InetSocketAddress address = address();
    String host = address.getHostString();
    return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
  }
}
