package dev.secdrive.emulator.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.media.WriteSteps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The sealed drive state and its anchor: tamper-evident, and consistent after a crash anywhere. */
class DriveNvTest {

  @TempDir Path media;
  @TempDir Path anchors;

  private final DriveKeys keys = DriveKeys.enroll("SDDNV", Authority.create());

  private Path state() {
    return media.resolve("state.sealed");
  }

  private Path anchor() {
    return anchors.resolve("SDDNV-" + keys.fingerprint() + ".anchor");
  }

  private DriveNv created() throws IOException {
    return DriveNv.create(state(), anchor(), keys);
  }

  private DriveNv reopened() {
    return DriveNv.open(state(), anchor(), keys);
  }

  private String refusal() {
    return assertThrows(DriveStateException.class, this::reopened).getMessage();
  }

  /** A power cut at {@code step}: the hook throws, as a pulled plug stops the write there. */
  private static WriteSteps cutAt(String step) {
    return reached -> {
      if (reached.equals(step)) {
        throw new IllegalStateException("power cut at " + step);
      }
    };
  }

  /** A registered client of a throw-away distributor, with one license installed. */
  private ClientState client() throws Exception {
    Authority authority = Authority.create();
    dev.secdrive.kit.crypto.RawKeyPair distributorKey = dev.secdrive.kit.crypto.Ed25519.generate();
    dev.secdrive.protocol.security.Certificate distributor =
        authority.certify(
            dev.secdrive.protocol.security.Certificate.unsigned(
                dev.secdrive.protocol.security.Certificate.Role.DISTRIBUTOR,
                "Distributor",
                new byte[32],
                distributorKey.publicKey()));
    dev.secdrive.kit.crypto.RawKeyPair clientKey = dev.secdrive.kit.crypto.Ed25519.generate();
    byte[] nodeKeys =
        new dev.secdrive.protocol.keytree.KeyTree(new byte[32], 3).deviceKeys(2).encode();
    dev.secdrive.protocol.move.ServiceData service =
        dev.secdrive.protocol.move.ServiceData.seal(
            "Distributor",
            "client",
            keys.deviceId(),
            2,
            3,
            clientKey.publicKey(),
            new dev.secdrive.protocol.move.ServiceData.Secrets(clientKey.privateKey(), nodeKeys),
            keys.x25519PublicKey(),
            distributor,
            distributorKey);
    dev.secdrive.protocol.move.License license =
        dev.secdrive.protocol.move.License.sign(
            new byte[16],
            "lic",
            "song",
            2,
            new dev.secdrive.protocol.move.UseConditions(0, -1, 5, 1, 1),
            distributor,
            distributorKey);
    return ClientState.registered(service, clientKey.privateKey(), nodeKeys).withLicense(license);
  }

  @Test
  void theClientStateSurvivesARestartSealedAndKeepsTheCounter() throws Exception {
    DriveNv nv = created();
    nv.advance("MO-1", 3, WriteSteps.NONE);
    assertTrue(nv.client().isEmpty());
    ClientState client = client();
    nv.writeClient(client, WriteSteps.NONE);
    ClientState played =
        client.withConditions(
            client.license("Distributor", "lic").orElseThrow().license(),
            client.license("Distributor", "lic").orElseThrow().now().afterPlay());
    nv.writeClient(played, WriteSteps.NONE);
    DriveNv again = reopened();
    assertEquals(1, again.counter(), "client writes do not move the counter");
    assertEquals(3, again.recordedVersion("MO-1"));
    assertEquals(3, again.generation());
    ClientState back = again.client().orElseThrow();
    assertEquals(played.status(), back.status());
    assertEquals(4, back.license("Distributor", "lic").orElseThrow().now().plays());
    assertTrue(back.used(new byte[16]));
    assertArrayEquals(client.clientPrivateKey(), back.clientPrivateKey());
    String onDisk =
        new String(Files.readAllBytes(state()), java.nio.charset.StandardCharsets.ISO_8859_1);
    String key = java.util.HexFormat.of().formatHex(client.clientPrivateKey());
    assertTrue(!onDisk.contains(key) && !onDisk.contains("client"), "nothing in clear");
  }

  static Stream<String> replaceSteps() {
    return dev.secdrive.kit.files.WriteSteps.REPLACE_STEPS.stream();
  }

  @ParameterizedTest
  @MethodSource("replaceSteps")
  void aPowerCutDuringAClientWriteLeavesTheOldOrTheNewClient(String step) throws Exception {
    DriveNv nv = created();
    ClientState client = client();
    assertThrows(IllegalStateException.class, () -> nv.writeClient(client, cutAt(step)));
    java.util.Optional<ClientState> after = reopened().client();
    if (after.isPresent()) {
      assertEquals(client.status(), after.get().status());
    }
    reopened().writeClient(client, WriteSteps.NONE);
    assertEquals(client.status(), reopened().client().orElseThrow().status());
  }

  @Test
  void theStateSurvivesARestartAndIsSealed() throws IOException {
    DriveNv nv = created();
    assertEquals(1, nv.advance("MO-1", 3, WriteSteps.NONE));
    assertEquals(2, nv.advance(null, 0, WriteSteps.NONE));
    DriveNv again = reopened();
    assertEquals(2, again.counter());
    assertEquals(3, again.recordedVersion("MO-1"));
    assertEquals(-1, again.recordedVersion("MO-2"));
    assertEquals(2, again.generation());
    String onDisk =
        new String(Files.readAllBytes(state()), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(onDisk.startsWith("SDNV\u0001"), "sealed, with its header");
    assertTrue(!onDisk.contains("MO-1") && !onDisk.contains("versions"), "nothing in clear");
  }

  /** HKDF-SHA256 with an empty salt, one block: the KDF of PROTOCOL.md "Keys", written out. */
  private static byte[] kdf(byte[] ikm, String label, String context) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256"));
    byte[] prk = mac.doFinal(ikm);
    mac.init(new javax.crypto.spec.SecretKeySpec(prk, "HmacSHA256"));
    mac.update((byte) 1);
    mac.update(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    mac.update((byte) 0);
    mac.update(context.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    mac.update((byte) 1);
    return mac.doFinal();
  }

  @Test
  void theStateAndTheAnchorAreLaidOutAsDocumented() throws Exception {
    created().advance("MO-1", 4, WriteSteps.NONE);
    byte[] state = Files.readAllBytes(state());
    byte[] header = {'S', 'D', 'N', 'V', 1};
    assertArrayEquals(header, java.util.Arrays.copyOf(state, 5));
    javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        javax.crypto.Cipher.DECRYPT_MODE,
        new javax.crypto.spec.SecretKeySpec(
            kdf(keys.deviceSecret(), "drive-state", "SDDNV"), "AES"),
        new javax.crypto.spec.GCMParameterSpec(128, state, 5, 12));
    gcm.updateAAD(header);
    gcm.updateAAD("SDDNV".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    var sealed = KeyFiles.JSON.readTree(gcm.doFinal(state, 17, state.length - 17));
    assertEquals(1, sealed.get("generation").asLong());
    assertEquals(1, sealed.get("counter").asLong());
    assertEquals(4, sealed.get("versions").get("MO-1").asLong());

    var anchor = KeyFiles.JSON.readTree(Files.readAllBytes(anchor()));
    byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(state);
    assertEquals(KeyFiles.hex(hash), anchor.get("stateHash").asText());
    assertEquals(1, anchor.get("generation").asLong());
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(
        new javax.crypto.spec.SecretKeySpec(
            kdf(keys.deviceSecret(), "drive-anchor", "SDDNV"), "HmacSHA256"));
    mac.update(new byte[] {'S', 'D', 'A', 'N', 1, 5});
    mac.update("SDDNV".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    mac.update(java.nio.ByteBuffer.allocate(8).putLong(1).array());
    mac.update(hash);
    assertEquals(KeyFiles.hex(mac.doFinal()), anchor.get("mac").asText());
  }

  static Stream<String> steps() {
    return Stream.concat(
        WriteSteps.REPLACE_STEPS.stream().map(s -> "state:" + s),
        WriteSteps.REPLACE_STEPS.stream().map(s -> "anchor:" + s));
  }

  @ParameterizedTest
  @MethodSource("steps")
  void aPowerCutAtAnyStepLeavesTheOldOrTheNewStateAndTheDriveStarts(String step)
      throws IOException {
    DriveNv nv = created();
    nv.advance("MO-1", 1, WriteSteps.NONE);
    String[] at = step.split(":");
    WriteSteps state = at[0].equals("state") ? cutAt(at[1]) : WriteSteps.NONE;
    WriteSteps anchorSteps = at[0].equals("anchor") ? cutAt(at[1]) : WriteSteps.NONE;
    assertThrows(IllegalStateException.class, () -> nv.advance("MO-1", 2, state, anchorSteps));
    DriveNv after = reopened();
    boolean renamed =
        at[0].equals("anchor")
            || at[1].equals(WriteSteps.RENAMED)
            || at[1].equals(WriteSteps.DIRECTORY_SYNCED);
    assertEquals(renamed ? 2 : 1, after.counter(), step);
    assertEquals(renamed ? 2 : 1, after.recordedVersion("MO-1"), step);
    // the anchor was rolled forward (or was already there): the drive carries on
    assertEquals(renamed ? 3 : 2, after.advance(null, 0, WriteSteps.NONE));
    assertEquals(after.counter(), reopened().counter());
  }

  @Test
  void betweenTheStateAndTheAnchorTheAnchorIsRolledForwardOnce() throws IOException {
    DriveNv nv = created();
    byte[] anchorBefore = Files.readAllBytes(anchor());
    assertThrows(
        IllegalStateException.class,
        () -> nv.advance("MO-1", 1, WriteSteps.NONE, cutAt(WriteSteps.TEMP_WRITTEN)));
    assertArrayEquals(anchorBefore, Files.readAllBytes(anchor()), "the anchor is still old");
    assertEquals(1, reopened().counter());
    byte[] rolled = Files.readAllBytes(anchor());
    assertTrue(!java.util.Arrays.equals(anchorBefore, rolled), "the anchor was rolled forward");
    assertEquals(1, reopened().generation());
    assertArrayEquals(rolled, Files.readAllBytes(anchor()), "and now matches: written once");
  }

  @Test
  void aFlippedBitOfTheStateIsRefused() throws IOException {
    created().advance("MO-1", 1, WriteSteps.NONE);
    byte[] bytes = Files.readAllBytes(state());
    bytes[bytes.length - 20] ^= 1;
    Files.write(state(), bytes);
    assertTrue(refusal().contains("does not authenticate"), refusal());
  }

  @Test
  void anOldStateCopiedBackIsRefused() throws IOException {
    DriveNv nv = created();
    nv.advance("MO-1", 1, WriteSteps.NONE);
    Path saved = media.resolve("saved");
    Files.copy(state(), saved);
    nv.advance("MO-1", 2, WriteSteps.NONE);
    nv.advance("MO-1", 3, WriteSteps.NONE);
    Files.copy(saved, state(), StandardCopyOption.REPLACE_EXISTING);
    assertTrue(refusal().contains("(generation 1) is older than its anchor"), refusal());
    assertTrue(refusal().contains("(generation 3)"), refusal());
  }

  @Test
  void aStateOneWriteBehindItsAnchorIsRefusedToo() throws IOException {
    DriveNv nv = created();
    Path saved = media.resolve("saved");
    Files.copy(state(), saved);
    nv.advance("MO-1", 1, WriteSteps.NONE);
    Files.copy(saved, state(), StandardCopyOption.REPLACE_EXISTING);
    assertTrue(refusal().contains("is older than its anchor"), refusal());
  }

  @Test
  void anOldAnchorCopiedBackWithTheNewStateIsRefusedBeyondOneWrite() throws IOException {
    DriveNv nv = created();
    Path saved = anchors.resolve("saved");
    Files.copy(anchor(), saved);
    nv.advance("MO-1", 1, WriteSteps.NONE);
    nv.advance("MO-1", 2, WriteSteps.NONE);
    Files.copy(saved, anchor(), StandardCopyOption.REPLACE_EXISTING);
    assertTrue(refusal().contains("more than one write ahead of its anchor"), refusal());
  }

  @Test
  void anotherStateOfTheSameGenerationIsRefused() throws IOException {
    DriveNv nv = created();
    nv.advance("MO-1", 1, WriteSteps.NONE);
    // the drive's own state of generation 1, but not the one the anchor records
    Path other = media.resolve("other");
    DriveNv twin = DriveNv.create(other, anchors.resolve("twin.anchor"), keys);
    twin.advance("MO-9", 9, WriteSteps.NONE);
    Files.copy(other, state(), StandardCopyOption.REPLACE_EXISTING);
    assertTrue(refusal().contains("is not the one its anchor"), refusal());
  }

  @Test
  void theStateOfAnotherDriveOfTheSameIdDoesNotAuthenticate() throws IOException {
    created();
    DriveKeys other = DriveKeys.enroll("SDDNV", Authority.create());
    Path foreign = media.resolve("foreign");
    DriveNv.create(foreign, anchors.resolve("foreign.anchor"), other);
    Files.copy(foreign, state(), StandardCopyOption.REPLACE_EXISTING);
    assertTrue(refusal().contains("does not authenticate"), refusal());
    assertTrue(!anchors.resolve("foreign.anchor").equals(anchor()));
  }

  @Test
  void aMissingStateOrAnchorIsRefusedAndAnAlteredAnchorDoesNotAuthenticate() throws IOException {
    created().advance(null, 0, WriteSteps.NONE);
    byte[] anchorBytes = Files.readAllBytes(anchor());
    Files.delete(anchor());
    assertTrue(refusal().contains("anchor " + anchor() + " is missing"), refusal());
    dev.secdrive.kit.files.AtomicFiles.replaceSecret(
        anchor(),
        new String(anchorBytes, java.nio.charset.StandardCharsets.UTF_8)
            .replace("\"generation\" : 1", "\"generation\" : 7")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertTrue(refusal().contains("does not authenticate"), refusal());
    Files.write(anchor(), anchorBytes);
    assertEquals(1, reopened().counter());
    Files.delete(state());
    assertTrue(refusal().contains("state " + state() + " is missing"), refusal());
  }

  @Test
  void aStateOrAnchorOthersMayReadIsRefused() throws IOException {
    created();
    for (Path file : new Path[] {state(), anchor()}) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      KeyFileException e = assertThrows(KeyFileException.class, this::reopened);
      assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    assertEquals(0, reopened().counter());
  }
}
