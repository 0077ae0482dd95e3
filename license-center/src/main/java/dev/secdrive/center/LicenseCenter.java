package dev.secdrive.center;

import dev.secdrive.center.http.CenterHttpServer;
import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.center.store.Store;
import dev.secdrive.protocol.security.Certificate;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.UnaryOperator;

/**
 * A running central site: keys from the data directory, the database (embedded H2 in the data
 * directory, or any JDBC URL), the HTTP API on an address.
 *
 * <pre>
 * LicenseCenter.setup(dir, "Acme Copy Center", authority.publicKey(), authority::certify);
 * try (LicenseCenter center = LicenseCenter.start(dir, new InetSocketAddress("127.0.0.1", 0))) {
 *   URI api = URI.create("http://127.0.0.1:" + center.address().getPort());
 * }
 * </pre>
 *
 * The data directory holds {@code center.json} (the keys), {@code admin-token} (the bearer token of
 * the administrative endpoints), both readable by the owner only, and {@code db/} (the embedded
 * database, when no JDBC URL is given).
 */
public final class LicenseCenter implements AutoCloseable {

  /** The admin token's file name in the data directory. */
  public static final String ADMIN_TOKEN_FILE = DataDirectory.ADMIN_TOKEN_FILE;

  private final Store store;
  private final CentralSite site;
  private final CenterHttpServer http;

  private LicenseCenter(Store store, CentralSite site, CenterHttpServer http) {
    this.store = store;
    this.site = site;
    this.http = http;
  }

  /**
   * Sets up a new data directory: fresh center keys certified by {@code authority}, and a random
   * admin token.
   *
   * @param name the center's name, the subject of its certificate
   * @param authorityPublicKey the licensing authority's Ed25519 public key
   * @param authority signs the center's certificate (e.g. the emulator's {@code
   *     Authority::certify}); the center never sees the authority's private key
   * @throws CenterSetupException if the directory is already set up
   */
  public static CenterKeys setup(
      Path dataDir, String name, byte[] authorityPublicKey, UnaryOperator<Certificate> authority) {
    Path keyFile = dataDir.resolve(CenterKeys.FILE);
    if (Files.exists(keyFile)) {
      throw new CenterSetupException(
          "data directory " + dataDir + " is already set up (" + keyFile + " exists)");
    }
    CenterKeys keys = CenterKeys.create(name, authorityPublicKey, authority);
    DataDirectory.createWithAdminToken(dataDir);
    // The key file last: its presence is what "set up" means.
    keys.save(keyFile);
    return keys;
  }

  /**
   * Upgrades a data directory set up before central sites had a role of their own: re-issues the
   * center's certificate with role CENTRAL_SITE for the same name and Ed25519 key, signed by {@code
   * authority}, and replaces {@code center.json} atomically. KM, the signing key, the admin token
   * and the database stay as they are.
   *
   * @param authorityPublicKey the licensing authority's Ed25519 public key: must be the one that
   *     certified the center
   * @throws CenterSetupException if the directory is not set up, its key file is corrupt or
   *     readable by others, or {@code authorityPublicKey} is another authority's
   */
  public static CenterKeys recertify(
      Path dataDir, byte[] authorityPublicKey, UnaryOperator<Certificate> authority) {
    Path keyFile = dataDir.resolve(CenterKeys.FILE);
    requireOwnerOnly(keyFile);
    return CenterKeys.recertify(keyFile, authorityPublicKey, authority);
  }

  /**
   * The admin token of a data directory.
   *
   * @throws CenterSetupException if it is missing, empty or readable by others
   */
  public static String adminToken(Path dataDir) {
    return DataDirectory.adminToken(dataDir);
  }

  /** Starts the center of {@code dataDir} with its embedded database. */
  public static LicenseCenter start(Path dataDir, InetSocketAddress address) {
    return start(dataDir, JdbcConfig.h2(dataDir), address);
  }

  /**
   * Starts the center of {@code dataDir} (keys, admin token) on the database {@code jdbc},
   * migrating its schema, and serves the API on {@code address} (port 0: any free port).
   *
   * @throws CenterSetupException if the data directory is not set up or its files are corrupt
   * @throws dev.secdrive.center.store.StoreException if the database cannot be reached or migrated
   * @throws UncheckedIOException if the address cannot be bound
   */
  public static LicenseCenter start(Path dataDir, JdbcConfig jdbc, InetSocketAddress address) {
    return start(dataDir, jdbc, address, Clock.systemUTC());
  }

  static LicenseCenter start(
      Path dataDir, JdbcConfig jdbc, InetSocketAddress address, Clock clock) {
    Path keyFile = dataDir.resolve(CenterKeys.FILE);
    if (Files.exists(keyFile)) {
      requireOwnerOnly(keyFile);
    }
    CenterKeys keys = CenterKeys.load(keyFile);
    String token = adminToken(dataDir);
    Store store = Store.open(jdbc);
    try {
      CentralSite site = new CentralSite(keys, store, clock);
      return new LicenseCenter(store, site, CenterHttpServer.start(site, token, address));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private static void requireOwnerOnly(Path file) {
    DataDirectory.requireOwnerOnly(file);
  }

  /** Where the API listens. */
  public InetSocketAddress address() {
    return http.address();
  }

  /** The site itself, for callers in the same process. */
  public CentralSite site() {
    return site;
  }

  @Override
  public void close() {
    try {
      http.close();
    } finally {
      store.close();
    }
  }
}
