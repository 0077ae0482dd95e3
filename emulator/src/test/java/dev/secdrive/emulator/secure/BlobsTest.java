package dev.secdrive.emulator.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.Reason;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BlobsTest {

  private static final String MEDIUM = "MO-B";
  private final Authority authority = Authority.create();
  private final DriveKeys self = DriveKeys.enroll("SDDSELF", authority);
  private final DriveKeys recipient = DriveKeys.enroll("SDDPEER", authority);
  private final byte[] km = Blobs.mediumKey(authority.systemSecret(), MEDIUM);
  private final LicenseState state =
      new LicenseState(
          7, List.of(new LicenseState.License("t", Crypto.wrap(new byte[32], new byte[32]), 2)));

  private BackupBlob create(Binding binding) {
    return Blobs.create(
        binding,
        MEDIUM,
        km,
        state,
        42,
        self,
        binding == Binding.SEALED ? recipient.certificate() : null);
  }

  private DriveKeys opener(Binding binding) {
    return binding == Binding.SEALED ? recipient : self;
  }

  @ParameterizedTest
  @EnumSource(Binding.class)
  void roundTripInEveryBinding(Binding binding) throws Exception {
    BackupBlob blob = create(binding);
    BackupBlob decoded = Blobs.decode(blob.encode());
    assertEquals(42, decoded.counter());
    assertEquals(7, decoded.licenseVersion());
    LicenseState opened = Blobs.open(decoded, km, opener(binding));
    assertEquals(state.version(), opened.version());
    assertArrayEquals(state.encode(), opened.encode());
    if (binding != Binding.MEDIUM) {
      DriveKeys stranger = DriveKeys.enroll("SDDSTRANGER", authority);
      assertEquals(Reason.OTHER_DRIVE, refusal(() -> Blobs.open(decoded, km, stranger)));
    }
    byte[] otherKm = Blobs.mediumKey(authority.systemSecret(), "MO-OTHER");
    assertEquals(Reason.INTEGRITY, refusal(() -> Blobs.open(decoded, otherKm, opener(binding))));
  }

  /**
   * Every single flipped bit is refused. Bits of the layers and of the counter, version and lengths
   * fail authentication (05h); a flip in the format version is 0Bh; a flip that turns the medium or
   * device ID into another one is caught earlier as another medium (04h, by the firmware) or
   * another drive (06h).
   */
  @ParameterizedTest
  @EnumSource(Binding.class)
  void everyFlippedBitIsRefused(Binding binding) {
    byte[] bytes = create(binding).encode();
    int deviceIdAt = 8 + 1 + MEDIUM.length() + 4 + 8;
    for (int bit = 0; bit < bytes.length * 8; bit++) {
      byte[] flipped = bytes.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      int at = bit / 8;
      Reason reason;
      try {
        BackupBlob blob = Blobs.decode(flipped);
        if (!blob.mediumId().equals(MEDIUM)) {
          assertTrue(at >= 8 && at < 9 + MEDIUM.length(), "medium ID changed by byte " + at);
          continue;
        }
        Blobs.open(blob, km, opener(binding));
        fail("bit " + bit + " flipped and the blob still opened");
        return;
      } catch (Refusal r) {
        reason = r.reason();
      }
      if (at == 4) {
        assertEquals(Reason.FORMAT_VERSION, reason, "bit " + bit);
      } else if (binding != Binding.MEDIUM && at > deviceIdAt && at <= deviceIdAt + 7) {
        assertTrue(Set.of(Reason.OTHER_DRIVE, Reason.INTEGRITY).contains(reason), "bit " + bit);
      } else {
        assertEquals(Reason.INTEGRITY, reason, "bit " + bit + " (byte " + at + ")");
      }
    }
  }

  @Test
  void resealMovesTheBlobToAnotherDriveKeepingVersionAndCounter() throws Exception {
    BackupBlob sealedToPeer = create(Binding.SEALED);
    assertEquals(
        Reason.OTHER_DRIVE, refusal(() -> Blobs.reseal(sealedToPeer, self, self.certificate())));
    BackupBlob back = Blobs.reseal(sealedToPeer, recipient, self.certificate());
    assertEquals("SDDSELF", back.deviceId());
    assertEquals(42, back.counter());
    assertEquals(7, back.licenseVersion());
    assertArrayEquals(state.encode(), Blobs.open(back, km, self).encode());
    assertEquals(Reason.OTHER_DRIVE, refusal(() -> Blobs.open(back, km, recipient)));
  }

  @Test
  void secureAreaSealsOpensAndRefusesDamage() {
    byte[] area = SecureArea.seal(km, MEDIUM, state, 4096);
    assertNotNull(area);
    assertEquals(4096, area.length);
    SecureArea.Contents contents = SecureArea.open(km, MEDIUM, area);
    assertEquals(SecureArea.Condition.SEALED, contents.condition());
    assertArrayEquals(state.encode(), contents.state().encode());
    assertEquals(
        SecureArea.Condition.BLANK, SecureArea.open(km, MEDIUM, new byte[4096]).condition());
    byte[] damaged = area.clone();
    damaged[40] ^= 1;
    assertEquals(SecureArea.Condition.UNREADABLE, SecureArea.open(km, MEDIUM, damaged).condition());
    assertEquals(SecureArea.Condition.UNREADABLE, SecureArea.open(km, "MO-COPY", area).condition());
    assertNull(SecureArea.seal(km, MEDIUM, state, 64), "does not fit");
  }

  @FunctionalInterface
  interface Action {
    Object run() throws Refusal;
  }

  private static Reason refusal(Action action) {
    try {
      action.run();
    } catch (Refusal r) {
      return r.reason();
    }
    throw new AssertionError("not refused");
  }
}
