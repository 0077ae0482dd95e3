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

  @BeforeEach
  void setUp() {
    nv = DriveNv.inMemory();
    store =
        new SecureStore(
            DriveKeys.enroll("SD-STORE", Authority.create()),
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
    SecureArea.Contents contents = store.read(medium);
    assertEquals(SecureArea.Condition.BLANK, contents.condition());
    assertEquals(-1, store.recordedVersion(medium));
    assertEquals(1, store.nextVersion(medium, contents.state()));
  }

  @Test
  void aCommitSealsTheStateThenRecordsItsVersionPassingEveryNamedStep() throws CheckCondition {
    store.commit("provision", medium, licensed("film", 1));
    assertEquals(SecureStore.commitSteps("provision"), reached);
    SecureArea.Contents contents = store.read(medium);
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
    assertEquals(2, store.read(medium).state().version(), "the area was replaced whole");
    assertEquals(1, store.recordedVersion(medium), "the floor was not raised past it");
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
    SecureArea.Contents contents = store.read(medium);
    assertEquals(0, contents.state().version());
    assertEquals(6, store.nextVersion(medium, contents.state()));
  }

  @Test
  void anAreaCopiedFromAnotherMediumHoldsNoLicense() throws Exception {
    store.commit("provision", medium, licensed("film", 1));
    try (Medium other = create("MO-2", 4096)) {
      other.writeSecureArea(medium.readSecureArea());
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
}
