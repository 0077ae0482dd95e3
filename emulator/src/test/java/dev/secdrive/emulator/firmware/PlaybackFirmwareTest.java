package dev.secdrive.emulator.firmware;

import static dev.secdrive.emulator.firmware.Harness.assertCheck;
import static dev.secdrive.emulator.firmware.Harness.assertGood;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.secdrive.emulator.secure.TestLicensor;
import dev.secdrive.protocol.cdb.Read10;
import dev.secdrive.protocol.cdb.Read16;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.security.BackupRequest;
import dev.secdrive.protocol.security.Binding;
import dev.secdrive.protocol.security.OpenPlayback;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.Reason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** OPEN PLAYBACK, in-drive decryption of READs and their refusals, through the firmware. */
class PlaybackFirmwareTest extends SecureLayerFixture {

  // ------------------------------------------------------------------ playback

  @Test
  void playbackDecryptsInsideTheDriveAndConsumesPlays() throws Exception {
    byte[] plain = Harness.pattern(5 * BLOCK + 100, 7);
    byte[] title = TestLicensor.title(CONTENT, contentKey, plain, BLOCK);
    long header = 10;
    assertGood(h.run(host, new Write10(header, title.length / BLOCK), title));
    assertGood(provision(h, host, medium.id(), CONTENT, 2));
    byte[] open = new OpenPlayback(CONTENT, header).encode();
    assertGood(out(h, host, Operation.OPEN_PLAYBACK, open));
    assertEquals(1, status(h, host).entries().get(0).playsLeft());
    assertEquals(2, status(h, host).version(), "a play rewrites the secure area, version + 1");

    byte[] whole = assertGood(h.run(host, new Read10(header + 1, 6))).data();
    assertArrayEquals(plain, Arrays.copyOf(whole, plain.length));
    // a read in the middle of the title starts the counter at the right offset
    byte[] middle = assertGood(h.run(host, new Read16(header + 3, 2))).data();
    assertArrayEquals(Arrays.copyOfRange(plain, 2 * BLOCK, 4 * BLOCK), middle);
    // straddling the header: the header block reads as it is
    byte[] straddle = assertGood(h.run(host, new Read10(header, 2))).data();
    assertArrayEquals(Arrays.copyOf(title, BLOCK), Arrays.copyOf(straddle, BLOCK));
    assertArrayEquals(Arrays.copyOf(plain, BLOCK), Arrays.copyOfRange(straddle, BLOCK, 2 * BLOCK));

    // another nexus sees ciphertext
    Nexus other = h.nexus();
    assertArrayEquals(
        Arrays.copyOfRange(title, BLOCK, 2 * BLOCK),
        assertGood(h.run(other, new Read10(header + 1, 1))).data());
    // CLOSE PLAYBACK: ciphertext again
    assertGood(out(h, host, Operation.CLOSE_PLAYBACK, new byte[0]));
    assertArrayEquals(
        Arrays.copyOfRange(title, BLOCK, 2 * BLOCK),
        assertGood(h.run(host, new Read10(header + 1, 1))).data());

    assertGood(out(h, host, Operation.OPEN_PLAYBACK, open));
    assertRefused(out(h, host, Operation.OPEN_PLAYBACK, open), Reason.EXHAUSTED);
    assertRefused(
        out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback("unknown", header).encode()),
        Reason.NO_LICENSE);
  }

  @Test
  void playbackRefusesATitleOfAnotherKeyAndWriteProtectedLimitedPlays() throws Exception {
    byte[] title = TestLicensor.title(CONTENT, new byte[32], new byte[100], BLOCK);
    assertGood(h.run(host, new Write10(20, 2), title));
    assertGood(provision(h, host, medium.id(), CONTENT, 5));
    assertRefused(
        out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 20).encode()),
        Reason.WRONG_KEY);
    assertRefused(
        out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 30).encode()),
        Reason.INTEGRITY);
    byte[] good = TestLicensor.title(CONTENT, contentKey, new byte[100], BLOCK);
    assertGood(h.run(host, new Write10(40, 2), good));
    h.firmware.setWriteProtected(true);
    assertCheck(
        out(h, host, Operation.OPEN_PLAYBACK, new OpenPlayback(CONTENT, 40).encode()),
        0x07,
        0x27,
        0x00);
  }

  @Test
  void noLicenseOnAnEmptyOrErasedSecureArea() throws Exception {
    byte[] open = new OpenPlayback(CONTENT, 5).encode();
    assertRefused(out(h, host, Operation.OPEN_PLAYBACK, open), Reason.NO_LICENSE);
    assertRefused(
        out(h, host, Operation.BACKUP, BackupRequest.toHost(Binding.MEDIUM).encode()),
        Reason.NO_LICENSE);
    assertRefused(in(h, host, Operation.BACKUP_DATA), Reason.NOTHING_PENDING);
  }
}
