package dev.secdrive.center.distributor;

import dev.secdrive.center.CenterSetupException;
import dev.secdrive.center.DataDirectory;
import dev.secdrive.center.distributor.http.DistributorHttpServer;
import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.protocol.security.Certificate;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.UnaryOperator;

/**
 * A running distributor: its service ({@link DistributorService}: keys, key tree, both databases)
 * and its HTTP API on an address. How a test starts two that share one DB C:
 *
 * <pre>
 * Path shared = tmp.resolve("operations");
 * DistributorServer.setup(dirA, "Distributor A", authority.publicKey(), authority::certify,
 *     keyTreeFile, 0, DistributorServer.privateH2(dirA), DistributorServer.sharedH2(shared));
 * DistributorServer.setup(dirB, "Distributor B", ..., keyTreeFile, 1, ..., sharedH2(shared));
 * try (DistributorServer a = DistributorServer.start(dirA, new InetSocketAddress("127.0.0.1", 0));
 *     DistributorServer b = DistributorServer.start(dirB, new InetSocketAddress("127.0.0.1", 0))) {
 *   URI api = URI.create(a.url());  // admin calls: Bearer a.adminToken()
 * }
 * </pre>
 */
public final class DistributorServer implements AutoCloseable {

  /** Requests served at once; each holds a connection of each pool while it runs. */
  public static final int MAX_CONCURRENT = 16;

  private final DistributorService service;
  private final DistributorHttpServer http;
  private final String adminToken;

  private DistributorServer(
      DistributorService service, DistributorHttpServer http, String adminToken) {
    this.service = service;
    this.http = http;
    this.adminToken = adminToken;
  }

  /** The default private database: embedded H2 {@code <dataDir>/db/private.mv.db}. */
  public static JdbcConfig privateH2(Path dataDir) {
    return JdbcConfig.h2(dataDir.resolve("db"), "private", true);
  }

  /**
   * The default shared database: embedded H2 {@code <sharedDir>/operations.mv.db}, opened with
   * {@code AUTO_SERVER=TRUE} so that every distributor process of the federation on this machine
   * uses it at once.
   */
  public static JdbcConfig sharedH2(Path sharedDir) {
    return JdbcConfig.h2(sharedDir, "operations", true);
  }

  /**
   * Sets up a new data directory: fresh keys certified by {@code authority} with role DISTRIBUTOR,
   * a content master, a copy of the federation's key-tree file, a random admin token, and where the
   * two databases are.
   *
   * @param category this distributor's category index k in the key tree
   * @throws CenterSetupException if the directory is already set up, or the key-tree file cannot be
   *     read or has no category {@code category}
   */
  public static DistributorKeys setup(
      Path dataDir,
      String name,
      byte[] authorityPublicKey,
      UnaryOperator<Certificate> authority,
      Path keyTreeFile,
      long category,
      JdbcConfig privateDatabase,
      JdbcConfig sharedDatabase) {
    return DistributorService.setup(
        dataDir,
        name,
        authorityPublicKey,
        authority,
        keyTreeFile,
        category,
        privateDatabase,
        sharedDatabase);
  }

  /** Starts the distributor of {@code dataDir} on {@code address} (port 0: any free port). */
  public static DistributorServer start(Path dataDir, InetSocketAddress address) {
    return start(dataDir, address, Clock.systemUTC());
  }

  /**
   * As {@link #start(Path, InetSocketAddress)} with the clock of issue times, use periods and
   * session expiry.
   *
   * @throws CenterSetupException if the data directory is not set up or its files are corrupt
   * @throws dev.secdrive.center.store.StoreException if a database cannot be reached or migrated
   * @throws java.io.UncheckedIOException if the address cannot be bound
   */
  public static DistributorServer start(Path dataDir, InetSocketAddress address, Clock clock) {
    String token = DataDirectory.adminToken(dataDir);
    DistributorService service = DistributorService.open(dataDir, clock, MAX_CONCURRENT);
    try {
      return new DistributorServer(
          service,
          DistributorHttpServer.start(service.distributor(), token, address, MAX_CONCURRENT),
          token);
    } catch (RuntimeException e) {
      service.close();
      throw e;
    }
  }

  public InetSocketAddress address() {
    return http.address();
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String url() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** The bearer token of the admin endpoints. */
  public String adminToken() {
    return adminToken;
  }

  /** The distributor itself, for callers in the same process. */
  public Distributor distributor() {
    return service.distributor();
  }

  @Override
  public void close() {
    try {
      http.close();
    } finally {
      service.close();
    }
  }
}
