package dev.secdrive.center;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.protocol.security.Certificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
}
