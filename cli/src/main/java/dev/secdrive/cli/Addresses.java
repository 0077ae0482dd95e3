package dev.secdrive.cli;

import java.net.InetSocketAddress;

/** Parses {@code host:port} and {@code [v6]:port}. */
final class Addresses {

  private Addresses() {}

  static InetSocketAddress parse(String option, String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new CliException(option + " '" + text + "' is not host:port");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CliException(option + " '" + text + "': port is not a number");
    }
    if (port < 0 || port > 65535) {
      throw new CliException(option + " '" + text + "': port outside 0..65535");
    }
    return new InetSocketAddress(host, port);
  }

  static String format(InetSocketAddress address) {
    String host =
        address.getAddress() != null
            ? address.getAddress().getHostAddress()
            : address.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
