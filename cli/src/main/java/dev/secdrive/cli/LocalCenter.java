package dev.secdrive.cli;

import dev.secdrive.center.LicenseCenter;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.flow.CenterClient;
import dev.secdrive.host.flow.UserKey;
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

  /** A client with the admin token. */
  CenterClient admin() {
    return new CenterClient(url(), adminToken);
  }

  /**
   * Registers user {@code id} with a fresh user key (its X25519 and Ed25519 public halves) and
   * returns the key, which signs the user's copy requests.
   */
  UserKey addUser(String id, String name) {
    UserKey key = UserKey.create();
    admin().registerUser(id, name, key);
    return key;
  }

  @Override
  public void close() {
    center.close();
  }
}
