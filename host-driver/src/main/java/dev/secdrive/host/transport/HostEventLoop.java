package dev.secdrive.host.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.ConnectException;
import java.net.UnknownHostException;

/** The daemon event loop the socket carriers (TCP, iSCSI) share per process. */
final class HostEventLoop {

  static final EventLoopGroup GROUP =
      new MultiThreadIoEventLoopGroup(
          1, new DefaultThreadFactory("secdrive-host", true), NioIoHandler.newFactory());

  /** Longest timeout in nanoseconds; Duration.toNanos() overflows beyond it. */
  private static final java.time.Duration LONGEST_TIMEOUT =
      java.time.Duration.ofNanos(Long.MAX_VALUE);

  private HostEventLoop() {}

  /** {@code timeout} in nanoseconds for a scheduler, saturated instead of overflowing. */
  static long timeoutNanos(java.time.Duration timeout) {
    return timeout.compareTo(LONGEST_TIMEOUT) < 0 ? timeout.toNanos() : Long.MAX_VALUE;
  }

  /** Why a connect failed, without Netty's repeated address. */
  static String reason(Throwable cause) {
    if (cause instanceof UnknownHostException) {
      return "unknown host " + cause.getMessage();
    }
    if (cause instanceof ConnectException && cause.getMessage() != null) {
      String message = cause.getMessage();
      int colon = message.indexOf(": ");
      return colon >= 0 ? message.substring(0, colon) : message;
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }
}
