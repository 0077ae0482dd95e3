package dev.secdrive.cli;

import dev.secdrive.center.LicenseCenter;
import dev.secdrive.emulator.secure.Authority;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A central site in this process for the demo, the benchmark and the end-to-end tests:
 * license-center with its embedded database in {@code dataDir}, certified by {@code authority}, on
 * 127.0.0.1 at a free port.
 */
final class LocalCenter implements AutoCloseable {

  private final LicenseCenter center;
  private final String adminToken;

  private LocalCenter(LicenseCenter center, String adminToken) {
    this.center = center;
    this.adminToken = adminToken;
  }

  static LocalCenter start(Path dataDir, Authority authority) {
    LicenseCenter.setup(
        dataDir, "secdrive central site", authority.publicKey(), authority::certify);
    LicenseCenter center = LicenseCenter.start(dataDir, new InetSocketAddress("127.0.0.1", 0));
    return new LocalCenter(center, LicenseCenter.adminToken(dataDir));
  }

  String url() {
    return "http://" + Addresses.format(center.address());
  }

  String adminToken() {
    return adminToken;
  }

  @Override
  public void close() {
    center.close();
  }
}
