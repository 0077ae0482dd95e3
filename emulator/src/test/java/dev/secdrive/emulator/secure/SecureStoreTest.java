package dev.secdrive.emulator.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.media.PowerLoss;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.protocol.security.Reason;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure-area store on its own: a commit replaces the area whole and only then raises the
 * drive's anti-rollback floor, a new version is above both, and a state that does not fit the
 * secure area is refused before anything is written.
 */
class SecureStoreTest {

  private static final byte[] WRAPPED = new byte[40];

  @TempDir Path directory;

  private final List<String> reached = new ArrayList<>();
  private String failAt;
  private DriveNv nv;
  private SecureStore store;
  private MediumStore media;
  private Medium medium;

  private final Authority authority = Authority.create();

  @BeforeEach
  void setUp() {
    nv = DriveNv.inMemory();
    store =
        new SecureStore(
            DriveKeys.enroll("SD-STORE", authority),
            nv,
            step -> {
              reached.add(step);
              if (step.equals(failAt)) {
                throw new PowerLoss(step);
              }
            });
    media = MediumStore.openOrCreate(directory);
    medium = create("MO-1", 4096);
  }

  @AfterEach
  void tearDown() throws Exception {
    medium.close();
  }

  private Medium create(String id, int secureAreaBytes) {
    media.create(
        new MediumStore.Spec(id, "mo-230", 2048, 64, secureAreaBytes, false, "label", null));
    return media.open(id);
  }

  private static LicenseState licensed(String contentId, long version) {
    return LicenseState.empty().with(new LicenseState.License(contentId, WRAPPED, 3), version);
  }

  @Test
  void aNewMediumIsBlankAndItsFirstLicenseIsVersionOne() throws CheckCondition {
    SecureStore.Area contents = store.read(medium);
    assertEquals(SecureArea.Condition.BLANK, contents.condition());
    assertEquals(-1, store.recordedVersion(medium));
    assertEquals(1, store.nextVersion(medium, contents.state()));
  }

  @Test
  void aCommitSealsTheStateThenRecordsItsVersionPassingEveryNamedStep() throws CheckCondition {
    store.commit("provision", medium, licensed("film", 1));
    assertEquals(SecureStore.commitSteps("provision"), reached);
    SecureStore.Area contents = store.read(medium);
    assertEquals(SecureArea.Condition.SEALED, contents.condition());
    assertEquals(1, contents.state().version());
    assertTrue(contents.state().find("film").isPresent());
    assertEquals(1, store.recordedVersion(medium));
    assertEquals(1, nv.counter());
    assertEquals(2, store.nextVersion(medium, contents.state()));
  }

  @Test
  void aPowerLossAfterTheAreaLeavesTheFloorBelowIt() throws CheckCondition {
    store.commit("provision", medium, licensed("film", 1));
    failAt = "restore:secure-area-renamed";
    assertThrows(PowerLoss.class, () -> store.commit("restore", medium, licensed("film", 2)));
    assertEquals(1, store.recordedVersion(medium), "the floor was not raised past it");
    assertEquals(2, store.read(medium).state().version(), "the area was replaced whole");
    assertEquals(2, store.recordedVersion(medium), "and is recorded when it is next used");
  }

  @Test
  void aPowerLossBeforeTheRenameLeavesTheOldArea() throws CheckCondition {
    store.commit("provision", medium, licensed("film", 1));
    failAt = "provision:secure-area-temp-synced";
    assertThrows(PowerLoss.class, () -> store.commit("provision", medium, licensed("film", 2)));
    assertEquals(1, store.read(medium).state().version());
    assertEquals(1, store.recordedVersion(medium));
  }

  @Test
  void theRecordedVersionOutlivesADamagedArea() throws Exception {
    store.commit("provision", medium, licensed("film", 5));
    store.erase(medium);
    SecureStore.Area contents = store.read(medium);
    assertEquals(0, contents.state().version());
    assertEquals(6, store.nextVersion(medium, contents.state()));
  }

  @Test
  void anAreaCopiedFromAnotherMediumHoldsNoLicense() throws Exception {
    store.commit("provision", medium, licensed("film", 1));
    try (Medium other = create("MO-2", 4096)) {
      other.writeSecureArea(medium.readSecureArea()); // its first write, as on the original
      assertEquals(SecureArea.Condition.UNREADABLE, store.read(other).condition());
    }
  }

  @Test
  void aStateThatDoesNotFitIsRefusedBeforeAnythingIsWritten() throws Exception {
    try (Medium small = create("MO-3", 64)) {
      LicenseState state = licensed("film", 1);
      CheckCondition fits =
          assertThrows(CheckCondition.class, () -> store.requireFits(small, state));
      assertTrue(
          fits.sense()
              .is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST));
      assertThrows(CheckCondition.class, () -> store.commit("provision", small, state));
      assertEquals(List.of(), reached);
      assertEquals(0, nv.counter());
      assertEquals(SecureArea.Condition.BLANK, store.read(small).condition());
    }
  }

  @Test
  void theCounterAdvancesWithoutRecordingAVersion() throws CheckCondition {
    long next = store.nextCounter();
    assertEquals(next, store.advanceCounter());
    assertEquals(next, nv.counter());
    assertEquals(-1, store.recordedVersion(medium));
  }

  @Test
  void contentKeysAreWrappedUnderTheMediumKey() throws Exception {
    byte[] contentKey = Bytes.random(Crypto.KEY_LENGTH);
    byte[] wrapped = store.wrapContentKey(medium, contentKey);
    assertArrayEquals(contentKey, store.unwrapContentKey(medium, wrapped));
    try (Medium other = create("MO-4", 4096)) {
      assertThrows(AuthenticationException.class, () -> store.unwrapContentKey(other, wrapped));
    }
  }

  // ------------------------------------------------------------------ anti-rollback on use

  private Reason refusal(Medium m) {
    CheckCondition e = assertThrows(CheckCondition.class, () -> store.read(m));
    return e.reason().orElseThrow();
  }

  @Test
  void everyCommitIsAWriteOfTheMediumAndErasingIsNot() throws Exception {
    assertEquals(0, medium.secureAreaWriteCounter());
    store.commit("provision", medium, licensed("film", 1));
    store.commit("playback", medium, licensed("film", 2));
    assertEquals(2, medium.secureAreaWriteCounter());
    assertEquals(new SecureArea.Commit(2, "SD-STORE", 1), store.read(medium).contents().commit());
    assertEquals(2, store.read(medium).mediumWrites());
    store.erase(medium);
    assertEquals(2, medium.secureAreaWriteCounter(), "damage does not lower the counter");
    assertEquals(SecureArea.Condition.BLANK, store.read(medium).condition());
  }

  @Test
  void anOlderAreaPutBackUnderANewerCounterIsStaleWithTheMediumsCounter() throws Exception {
    store.commit("provision", medium, licensed("film", 1));
    byte[] old = medium.readSecureArea();
    store.commit("playback", medium, licensed("film", 2));
    // File access: the old area's bytes written back (the medium counts that write too).
    medium.writeSecureArea(old);
    CheckCondition e = assertThrows(CheckCondition.class, () -> store.read(medium));
    assertEquals(Reason.STALE, e.reason().orElseThrow());
    assertEquals(3, e.sense().information(), "the medium's write counter");
    assertTrue(e.getMessage().contains("sealed at medium write 1"), e.getMessage());
    assertTrue(e.getMessage().contains("the medium is at write 3"), e.getMessage());
    // Another drive, which never saw the medium, refuses it just the same.
    SecureStore other =
        new SecureStore(DriveKeys.enroll("SD-OTHER", authority), DriveNv.inMemory(), step -> {});
    assertThrows(CheckCondition.class, () -> other.read(medium));
  }

  @Test
  void aFormatOneAreaIsReadOnlyWhileTheMediumHasNeverCountedAWrite() throws Exception {
    LicenseState state = licensed("film", 4);
    byte[] format1 = SecureArea.sealFormat1(store.mediumKey(medium), "MO-1", state, 4096);
    java.nio.file.Files.write(directory.resolve("MO-1").resolve("secure.bin"), format1);
    assertEquals(0, medium.secureAreaWriteCounter(), "a file without the counter is at 0");
    assertEquals(4, store.read(medium).state().version());
    store.commit("playback", medium, licensed("film", 5)); // upgraded on the next write
    assertEquals(1, medium.secureAreaWriteCounter());
    assertEquals(1, store.read(medium).contents().commit().mediumWrites());
    medium.writeSecureArea(format1);
    assertEquals(Reason.STALE, refusal(medium));
  }

  @Test
  void anAreaOlderThanTheRecordedVersionIsStaleWithThatVersion() throws Exception {
    store.commit("provision", medium, licensed("film", 1));
    byte[] whole =
        java.nio.file.Files.readAllBytes(directory.resolve("MO-1").resolve("secure.bin"));
    store.commit("playback", medium, licensed("film", 2));
    // File access: the whole secure.bin, area and counter, copied back.
    java.nio.file.Files.write(directory.resolve("MO-1").resolve("secure.bin"), whole);
    CheckCondition e = assertThrows(CheckCondition.class, () -> store.read(medium));
    assertEquals(Reason.STALE, e.reason().orElseThrow());
    assertEquals(2, e.sense().information(), "the version this drive recorded");
    // A drive that never saw the medium cannot tell: it trusts the medium's counter.
    SecureStore fresh =
        new SecureStore(DriveKeys.enroll("SD-FRESH", authority), DriveNv.inMemory(), step -> {});
    assertEquals(-1, fresh.recordedVersion(medium));
    assertEquals(1, fresh.read(medium).state().version());
    assertEquals(1, fresh.recordedVersion(medium), "recorded on its first use");
  }

  @Test
  void anAreaThisDriveCommittedAheadOfItsOwnCounterMeansItsStateWasRolledBack() throws Exception {
    DriveKeys keys = DriveKeys.enroll("SD-ROLL", authority);
    DriveNv ahead = DriveNv.inMemory();
    ahead.advance(null, 0, dev.secdrive.emulator.media.WriteSteps.NONE);
    ahead.advance(null, 0, dev.secdrive.emulator.media.WriteSteps.NONE);
    new SecureStore(keys, ahead, step -> {}).commit("provision", medium, licensed("film", 1));
    // The same drive with its state from before those counter values (a file copied back).
    SecureStore rolledBack = new SecureStore(keys, DriveNv.inMemory(), step -> {});
    CheckCondition e = assertThrows(CheckCondition.class, () -> rolledBack.read(medium));
    assertEquals(Reason.DRIVE_STATE_ROLLED_BACK, e.reason().orElseThrow());
    assertEquals(2, e.sense().information(), "the counter the area names");
    // Another drive reading that area has no such claim to check.
    assertEquals(1, store.read(medium).state().version());
  }

  @Test
  void aPowerLossBetweenTheAreaAndTheDriveStateIsNoRollback() throws CheckCondition {
    failAt = "provision:secure-area-renamed";
    assertThrows(PowerLoss.class, () -> store.commit("provision", medium, licensed("film", 1)));
    assertEquals(0, nv.counter(), "the drive state was not written");
    assertEquals(1, store.read(medium).state().version(), "and the area reads");
  }
}
