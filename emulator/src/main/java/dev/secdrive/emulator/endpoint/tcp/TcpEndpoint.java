package dev.secdrive.emulator.endpoint.tcp;

import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.endpoint.DevicePipeline;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;

/** A TCP listener serving a target: one connection per host, one I_T nexus per connection. */
public final class TcpEndpoint implements AutoCloseable {

  private final Channel server;

  private TcpEndpoint(Channel server) {
    this.server = server;
  }

  /**
   * Binds and starts serving.
   *
   * @throws UncheckedIOException naming the address if it cannot be bound
   */
  public static TcpEndpoint start(
      Target target,
      InetSocketAddress address,
      EventLoopGroup boss,
      EventLoopGroup workers,
      int maximumDataLength) {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
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
                    DevicePipeline.initialize(channel.pipeline(), target, maximumDataLength, false);
                  }
                });
    try {
      return new TcpEndpoint(bootstrap.bind(address).syncUninterruptibly().channel());
    } catch (Exception e) {
      String reason = e instanceof BindException ? e.getMessage() : e.toString();
      throw new UncheckedIOException(
          new java.io.IOException(
              "cannot listen on "
                  + address.getHostString()
                  + ":"
                  + address.getPort()
                  + ": "
                  + reason,
              e));
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
  }
}
