package dev.secdrive.emulator.endpoint;

import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.firmware.TimingMode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A carrier the emulator serves its target on: a TCP listener, a serial port, later an iSCSI
 * portal. An endpoint is configured when it is made and does nothing until {@link #start}; the
 * emulator starts each one it is given, and closes them in turn. Behind every endpoint, each I_T
 * nexus is served by a {@link CommandHandler}.
 */
public interface Endpoint extends AutoCloseable {

  /**
   * Binds or opens the carrier and serves {@code target} on it.
   *
   * @throws java.io.UncheckedIOException naming the address or port and what is wrong
   */
  void start(Target target, Context context);

  /**
   * Where hosts attach, for people: {@code tcp://127.0.0.1:7140}, {@code serial port /dev/ttyUSB0
   * at 115200 baud}. After {@link #start} it names what was actually bound.
   */
  String description();

  /** Stops serving; the nexuses end. Safe to call on an endpoint that never started. */
  @Override
  void close();

  /**
   * What the emulator lends its endpoints.
   *
   * @param boss accepts connections, for carriers that listen
   * @param workers runs connections' pipelines and command handlers
   * @param maximumDataLength the largest data phase a frame may carry
   * @param timing the drives' timing; realistic timing paces serial output to its baud rate
   * @param answerDelays where answers wait out the drive's service time, or {@code null} for the
   *     carrier's own executor; a test passes a scheduler on the drives' injected clock
   */
  record Context(
      EventLoopGroup boss,
      EventLoopGroup workers,
      int maximumDataLength,
      TimingMode timing,
      ScheduledExecutorService answerDelays) {}

  /**
   * Binds {@code bootstrap} to {@code address} for a listening carrier.
   *
   * @param what the protocol, for a carrier beside the main one ("iSCSI"), or empty
   * @throws UncheckedIOException "cannot listen [for {@code what}] on HOST:PORT: why"
   */
  static Channel bind(ServerBootstrap bootstrap, InetSocketAddress address, String what) {
    try {
      return bootstrap.bind(address).syncUninterruptibly().channel();
    } catch (Exception e) {
      String reason = e instanceof BindException ? e.getMessage() : e.toString();
      throw new UncheckedIOException(
          new IOException(
              (what.isEmpty() ? "cannot listen on " : "cannot listen for " + what + " on ")
                  + address.getHostString()
                  + ":"
                  + address.getPort()
                  + ": "
                  + reason,
              e));
    }
  }
}
