package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.CopyRequests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserKeyTest {

  @TempDir Path dir;

  @Test
  void savedWithOwnerOnlyPermissionsAndLoadedBack() throws Exception {
    UserKey key = UserKey.create();
    Path file = dir.resolve("user.key");
    key.save(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertArrayEquals(key.publicKey(), UserKey.load(file).publicKey());
    assertEquals(
        file + " already exists; not overwriting a user key",
        assertThrows(FlowException.class, () -> key.save(file)).getMessage());
    assertEquals(
        "user key " + dir.resolve("none") + " does not exist",
        assertThrows(FlowException.class, () -> UserKey.load(dir.resolve("none"))).getMessage());
    String json = Files.readString(file);
    Path swapped =
        ownerOnly(
            Files.writeString(
                dir.resolve("swapped.key"),
                json.replace(key.publicKeyHex(), UserKey.create().publicKeyHex())));
    assertEquals(
        "user key " + swapped + ": the public key does not match the private key",
        assertThrows(FlowException.class, () -> UserKey.load(swapped)).getMessage());
  }

  @Test
  void theFileHoldsASigningKeyWhoseSignaturesVerify() throws Exception {
    UserKey key = UserKey.create();
    Path file = dir.resolve("user.key");
    key.save(file);
    UserKey loaded = UserKey.load(file);
    assertArrayEquals(key.signingPublicKey(), loaded.signingPublicKey());
    assertTrue(Files.readString(file).contains("\"format\" : 2"), Files.readString(file));
    byte[] message =
        CopyRequests.certificate(new byte[] {1, 2, 3}, "alice", "SW-1", "MO-1", new byte[] {4});
    byte[] signature = loaded.sign(message);
    assertEquals(64, signature.length);
    assertTrue(Ed25519.verify(key.signingPublicKey(), message, signature));
    assertFalse(Ed25519.verify(UserKey.create().signingPublicKey(), message, signature));

    String json = Files.readString(file);
    Path swapped =
        ownerOnly(
            Files.writeString(
                dir.resolve("swapped.key"),
                json.replace(key.signingPublicKeyHex(), UserKey.create().signingPublicKeyHex())));
    assertEquals(
        "user key " + swapped + ": the signing public key does not match the signing private key",
        assertThrows(FlowException.class, () -> UserKey.load(swapped)).getMessage());
  }

  @Test
  void aFormatOneFileIsRefusedWithHowToReplaceIt() throws Exception {
    RawKeyPair old = X25519.generate();
    Path file =
        ownerOnly(
            Files.writeString(
                dir.resolve("old.key"),
                "{\"format\": 1, \"privateKey\": \""
                    + HexFormat.of().formatHex(old.privateKey())
                    + "\", \"publicKey\": \""
                    + HexFormat.of().formatHex(old.publicKey())
                    + "\"}"));
    String message = assertThrows(FlowException.class, () -> UserKey.load(file)).getMessage();
    assertTrue(message.startsWith("user key " + file + " is of format 1"), message);
    assertTrue(message.contains("secdrive user-key create --out FILE"), message);
    assertTrue(message.contains("secdrive center user add --user-key FILE"), message);
  }

  @Test
  void aKeyFileOthersMayReadIsRefused() throws Exception {
    Path file = dir.resolve("loose.key");
    UserKey.create().save(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(
        "user key " + file + " holds a secret but others may read or write it: chmod 600 " + file,
        assertThrows(FlowException.class, () -> UserKey.load(file)).getMessage());
  }

  /** A key file as a user's own tools would leave it: readable by its owner only. */
  static Path ownerOnly(Path file) throws java.io.IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
