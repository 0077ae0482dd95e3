package dev.secdrive.center.distributor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.center.CenterSetupException;
import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.protocol.keytree.Ekb;
import dev.secdrive.protocol.move.ContentPackage;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The distributor suite on the default databases: embedded H2, A in each data directory, C in the
 * shared directory opened by both distributors with AUTO_SERVER=TRUE.
 */
class DistributorH2Test extends DistributorContract {

  @Override
  JdbcConfig privateDatabase(String which, Path dataDir) {
    return DistributorServer.privateH2(dataDir);
  }

  @Override
  JdbcConfig sharedDatabase(Path sharedDir) {
    return DistributorServer.sharedH2(sharedDir);
  }

  @Test
  void theDefaultDatabasesLiveInTheDataAndSharedDirectories() throws Exception {
    user(a, "alice");
    assertTrue(Files.exists(tmp.resolve("a").resolve("db").resolve("private.mv.db")));
    assertTrue(Files.exists(tmp.resolve("shared").resolve("operations.mv.db")));
  }

  @Test
  void aRestartedDistributorKeepsItsKeysUsersContentsAndClients() throws Exception {
    String alice = user(a, "alice");
    content(a, "SONG-1", 0, 1, new byte[] {1, 2, 3});
    Client client = client(a, alice, "DRIVE-A");
    byte[] certificate = a.distributor().keys().certificate().encode();
    a.close();
    a = DistributorServer.start(tmp.resolve("a"), new InetSocketAddress("127.0.0.1", 0), clock);
    assertArrayEquals(certificate, a.distributor().keys().certificate().encode());
    String again = basic("alice", PASSWORD);
    assertOk(license(a, again, "SONG-1", client.clientId()));
    HttpResponse<byte[]> response = download(a, again, "SONG-1", client.clientId());
    ContentPackage.Header header = ContentPackage.Header.decode(response.body());
    byte[] kc =
        header.unwrapContentKey(client.keys().rootKey(Ekb.decode(header.ekb())).orElseThrow());
    assertArrayEquals(
        new byte[] {1, 2, 3},
        ContentPackage.crypt(
            kc,
            header.nonce(),
            Arrays.copyOfRange(response.body(), header.length(), response.body().length)));
  }

  @Test
  void aSetUpDirectoryIsNotSetUpAgainAndACorruptKeyFileIsNamed() throws Exception {
    Path dir = tmp.resolve("a");
    CenterSetupException again =
        assertThrows(
            CenterSetupException.class,
            () ->
                DistributorServer.setup(
                    dir,
                    "Distributor A",
                    authority.publicKey(),
                    authority::certify,
                    keyTreeFile,
                    0,
                    DistributorServer.privateH2(dir),
                    DistributorServer.sharedH2(tmp.resolve("shared"))));
    assertTrue(again.getMessage().contains("already set up"), again.getMessage());
    CenterSetupException category =
        assertThrows(
            CenterSetupException.class,
            () ->
                DistributorServer.setup(
                    tmp.resolve("c"),
                    "Distributor C",
                    authority.publicKey(),
                    authority::certify,
                    keyTreeFile,
                    1L << CATEGORY_DEPTH,
                    DistributorServer.privateH2(tmp.resolve("c")),
                    DistributorServer.sharedH2(tmp.resolve("shared"))));
    assertTrue(category.getMessage().contains("is not in key tree"), category.getMessage());
    a.close();
    Path keyFile = dir.resolve(DistributorKeys.FILE);
    Files.writeString(keyFile, "{\"format\": 1, \"name\": \"x\"}");
    CenterSetupException corrupt =
        assertThrows(
            CenterSetupException.class,
            () -> a = DistributorServer.start(dir, new InetSocketAddress("127.0.0.1", 0), clock));
    assertTrue(corrupt.getMessage().contains(keyFile.toString()), corrupt.getMessage());
    a = null;
  }
}
