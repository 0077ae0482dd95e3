package dev.secdrive.host.flow;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.protocol.security.CopyRecord;
import dev.secdrive.protocol.security.ParameterException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The execution path of a copied title (FIG. 6 for embodiment 1, FIG. 10 for embodiment 2), chosen
 * by what lies at the title's LBA: a copy record ({@code SDCR}) or a title header ({@code SDTI}).
 * Both play through the drive (OPEN PLAYBACK): the title's key is in the medium's secure area,
 * which a clone does not carry, and never reaches the host.
 *
 * <ul>
 *   <li>Scheme 1: the copy certificate CS is verified first — the authority certified the central
 *       site, the site signed CS, CS names this title and the medium ID the drive reads from the
 *       medium's ID area — then the title header after the record is played. A copy that broke off
 *       was never installed (the drive checks the master's digest before it writes the header).
 *   <li>Scheme 2: OPEN PLAYBACK of the header at the LBA.
 * </ul>
 */
public final class Runner {

  private static final int SCHEME_1_MAGIC = magic("SDCR");
  private static final int SCHEME_2_MAGIC = magic("SDTI");

  private Runner() {}

  /** What a run returned: the scheme, the plaintext's length and SHA-256. */
  public record Ran(String titleId, int scheme, long bytes, byte[] sha256) {}

  /**
   * Runs title {@code titleId} copied at {@code lba} into {@code out}.
   *
   * @param authorityPublicKey the licensing authority's Ed25519 key (scheme 1); may be null for a
   *     scheme-2 copy
   * @throws FlowException if nothing copied is at {@code lba} or the copy certificate is refused
   * @throws dev.secdrive.host.api.ScsiException when the drive refuses playback: no license on this
   *     medium, no title header (a copy that was not completed)
   */
  public static Ran run(
      Drive drive,
      String titleId,
      long lba,
      byte[] authorityPublicKey,
      OutputStream out,
      Progress progress) {
    Capacity capacity = drive.capacity();
    if (lba < 0 || lba > capacity.lastLba()) {
      throw new FlowException(
          "LBA " + lba + " is outside the medium (last LBA " + capacity.lastLba() + ")");
    }
    byte[] first = drive.read(lba, 1);
    int magic = first.length >= 4 ? magic(first) : 0;
    if (magic == SCHEME_2_MAGIC) {
      Player.Played played = Player.play(drive, titleId, lba, out, progress);
      return new Ran(titleId, 2, played.bytes(), played.sha256());
    }
    if (magic != SCHEME_1_MAGIC) {
      throw new FlowException(
          "LBA "
              + lba
              + " holds neither a copy record nor a title header: no copied title there (a copy"
              + " that did not complete leaves none; copy it again)");
    }
    if (authorityPublicKey == null) {
      throw new FlowException(
          "the title at LBA "
              + lba
              + " is a certificate copy: the licensing authority's public key is needed to check"
              + " it");
    }
    CopyRecord record = readRecord(drive, capacity, lba, first);
    // FIG. 6: the medium ID comes from the drive (the read-only ID area), never from the record.
    CopyCertificates.verify(
        record.copyCertificate(), authorityPublicKey, titleId, drive.mediumId());
    if (record.headerLba() > capacity.lastLba()) {
      throw new FlowException("the copy record places the title beyond the end of the medium");
    }
    Player.Played played = Player.play(drive, titleId, record.headerLba(), out, progress);
    return new Ran(titleId, 1, played.bytes(), played.sha256());
  }

  private static CopyRecord readRecord(Drive drive, Capacity capacity, long lba, byte[] first) {
    byte[] bytes = first;
    // A record is at most a few kilobytes; read more blocks only if its fields run past the first.
    for (int blocks = 2; ; blocks *= 2) {
      try {
        return CopyRecord.decode(bytes);
      } catch (ParameterException e) {
        if (e.kind() == ParameterException.Kind.FORMAT_VERSION) {
          throw new FlowException(
              "the copy record at LBA "
                  + lba
                  + " is of another format: "
                  + e.getMessage()
                  + " (format 2 copies carried a title key the terminal could open and are no"
                  + " longer run; copy the title again)");
        }
        if (bytes.length >= 64 * 1024 || lba + blocks > capacity.blocks()) {
          throw new FlowException(
              "the copy record at LBA "
                  + lba
                  + " is unreadable (tampered?): "
                  + e.getMessage()
                  + " at byte "
                  + e.offset());
        }
        bytes = drive.read(lba, blocks);
      }
    }
  }

  private static int magic(String text) {
    return magic(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static int magic(byte[] b) {
    return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
  }
}
