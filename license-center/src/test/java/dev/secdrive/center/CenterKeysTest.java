package dev.secdrive.center;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secdrive.protocol.security.Certificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CenterKeysTest {

  @TempDir Path dir;

  @Test
  void keysSurviveSaveAndLoadInAnOwnerOnlyFile() throws Exception {
    TestAuthority authority = new TestAuthority();
    CenterKeys keys = CenterKeys.create("Acme Center", authority.publicKey(), authority::certify);
    Path file = dir.resolve("center.json");
    keys.save(file);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    CenterKeys loaded = CenterKeys.load(file);
    assertEquals("Acme Center", loaded.name());
    assertEquals(keys.certificate(), loaded.certificate());
    assertEquals(Certificate.Role.CENTRAL_SITE, loaded.certificate().role());
    assertArrayEquals(
        keys.derive("master-conversion", "T1"), loaded.derive("master-conversion", "T1"));
    assertTrue(loaded.certifiedByAuthority(loaded.certificate(), Certificate.Role.CENTRAL_SITE));
  }

  @Test
  void aCertificateFromAnotherAuthorityIsRefusedAtCreation() {
    TestAuthority authority = new TestAuthority();
    TestAuthority impostor = new TestAuthority();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> CenterKeys.create("Acme", authority.publicKey(), impostor::certify));
    assertTrue(e.getMessage().contains("not signed by the licensing authority"), e.getMessage());
  }

  @Test
  void anAuthorityThatCertifiesSomethingElseIsRefused() {
    TestAuthority authority = new TestAuthority();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CenterKeys.create(
                    "Acme",
                    authority.publicKey(),
                    unsigned ->
                        authority.certify(
                            Certificate.unsigned(
                                Certificate.Role.LICENSOR,
                                "Other",
                                unsigned.x25519PublicKey(),
                                unsigned.ed25519PublicKey()))));
    assertTrue(e.getMessage().contains("certified something else"), e.getMessage());
  }

  @Test
  void missingAndCorruptFilesAreNamed() throws Exception {
    Path file = dir.resolve("center.json");
    CenterSetupException missing =
        assertThrows(CenterSetupException.class, () -> CenterKeys.load(file));
    assertTrue(missing.getMessage().contains(file + " does not exist"), missing.getMessage());

    Files.writeString(file, "{\"format\": 1, \"name\": \"x\", \"masterKey\": \"zz\"}");
    CenterSetupException corrupt =
        assertThrows(CenterSetupException.class, () -> CenterKeys.load(file));
    assertTrue(corrupt.getMessage().contains(file + " is corrupt"), corrupt.getMessage());
    assertTrue(corrupt.getMessage().contains("masterKey"), corrupt.getMessage());
  }

  @Test
  void setupRefusesADirectoryAlreadySetUpAndAnExposedToken() throws Exception {
    TestAuthority authority = new TestAuthority();
    LicenseCenter.setup(dir, "Acme", authority.publicKey(), authority::certify);
    assertEquals(64, LicenseCenter.adminToken(dir).length());
    CenterSetupException again =
        assertThrows(
            CenterSetupException.class,
            () -> LicenseCenter.setup(dir, "Acme", authority.publicKey(), authority::certify));
    assertTrue(again.getMessage().contains("already set up"), again.getMessage());

    Path token = dir.resolve(LicenseCenter.ADMIN_TOKEN_FILE);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
    CenterSetupException exposed =
        assertThrows(CenterSetupException.class, () -> LicenseCenter.adminToken(dir));
    assertTrue(exposed.getMessage().contains("chmod 600"), exposed.getMessage());
  }

  @Test
  void startingAnEmptyDirectorySaysToSetItUp() {
    CenterSetupException e =
        assertThrows(
            CenterSetupException.class,
            () -> LicenseCenter.start(dir, new java.net.InetSocketAddress("127.0.0.1", 0)));
    assertTrue(e.getMessage().contains("set the center up first"), e.getMessage());
  }

  /** Rewrites {@code center.json} of {@code dataDir} with a LICENSOR certificate of its key. */
  static void certifyAsLicensor(Path dataDir, TestAuthority authority) throws Exception {
    Path file = dataDir.resolve(CenterKeys.FILE);
    ObjectNode stored = (ObjectNode) JSON.readTree(Files.readAllBytes(file));
    Certificate current =
        Certificate.decode(HexFormat.of().parseHex(stored.get("certificate").asText()));
    Certificate licensor =
        authority.certify(
            Certificate.unsigned(
                Certificate.Role.LICENSOR,
                current.subject(),
                current.x25519PublicKey(),
                current.ed25519PublicKey()));
    stored.put("certificate", HexFormat.of().formatHex(licensor.encode()));
    Files.write(file, JSON.writeValueAsBytes(stored));
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aLicensorCertificateIsRefusedWithTheRecertifyCommandAndRecertifyKeepsTheKeys()
      throws Exception {
    TestAuthority authority = new TestAuthority();
    CenterKeys before = LicenseCenter.setup(dir, "Acme", authority.publicKey(), authority::certify);
    certifyAsLicensor(dir, authority);
    Path file = dir.resolve(CenterKeys.FILE);

    CenterSetupException refused =
        assertThrows(CenterSetupException.class, () -> CenterKeys.load(file));
    assertTrue(
        refused
            .getMessage()
            .contains(
                "run secdrive center recertify --data-dir "
                    + dir.toAbsolutePath()
                    + " --file AUTHORITY"),
        refused.getMessage());

    TestAuthority other = new TestAuthority();
    CenterSetupException wrong =
        assertThrows(
            CenterSetupException.class,
            () -> LicenseCenter.recertify(dir, other.publicKey(), other::certify));
    assertTrue(
        wrong.getMessage().contains(HexFormat.of().formatHex(other.publicKey())),
        wrong.getMessage());
    assertTrue(
        wrong.getMessage().contains(HexFormat.of().formatHex(authority.publicKey())),
        wrong.getMessage());
    assertThrows(CenterSetupException.class, () -> CenterKeys.load(file), "file left as it was");

    CenterKeys after = LicenseCenter.recertify(dir, authority.publicKey(), authority::certify);
    assertEquals(Certificate.Role.CENTRAL_SITE, after.certificate().role());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    CenterKeys loaded = CenterKeys.load(file);
    assertEquals(after.certificate(), loaded.certificate());
    assertEquals("Acme", loaded.name());
    assertArrayEquals(
        before.certificate().ed25519PublicKey(), loaded.certificate().ed25519PublicKey());
    assertArrayEquals(
        before.derive("master-conversion", "T1"), loaded.derive("master-conversion", "T1"));
  }
}
