package dev.secdrive.host.flow;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.protocol.security.CopyCertificate;
import dev.secdrive.protocol.security.CopyRecord;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.SealedKey;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * The execution path of a copied title (FIG. 6 for embodiment 1, FIG. 10 for embodiment 2), chosen
 * by what lies at the title's LBA: a copy record ({@code SDCR}) or a title header ({@code SDTI}).
 *
 * <ul>
 *   <li>Scheme 1: the copy certificate CS is verified — the authority certified the central site,
 *       the site signed CS, CS names this title and the medium ID the drive reads from the medium's
 *       ID area, so a copy cloned onto another medium is refused — before Kd is opened with the
 *       user key and the title decrypted on the host.
 *   <li>Scheme 2: OPEN PLAYBACK; the drive decrypts with Ku from the medium's secure area, which a
 *       clone does not carry.
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
   * @param userKey the user key (scheme 1); may be null for a scheme-2 copy
   * @param authorityPublicKey the licensing authority's Ed25519 key (scheme 1); may be null for a
   *     scheme-2 copy
   * @throws FlowException if nothing copied is at {@code lba}, the copy certificate is refused, or
   *     a certificate copy's plaintext does not match its digest (incomplete or damaged); then what
   *     {@code out} received is not the title and must be discarded
   * @throws dev.secdrive.host.api.ScsiException when the drive refuses playback (scheme 2)
   */
  public static Ran run(
      Drive drive,
      String titleId,
      long lba,
      UserKey userKey,
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
    if (userKey == null) {
      throw new FlowException(
          "the title at LBA " + lba + " is a certificate copy: give the user key");
    }
    if (authorityPublicKey == null) {
      throw new FlowException(
          "the title at LBA "
              + lba
              + " is a certificate copy: the licensing authority's public key is needed to check"
              + " it");
    }
    return runCertificateCopy(
        drive, capacity, titleId, lba, first, userKey, authorityPublicKey, out, progress);
  }

  private static Ran runCertificateCopy(
      Drive drive,
      Capacity capacity,
      String titleId,
      long lba,
      byte[] first,
      UserKey userKey,
      byte[] authorityPublicKey,
      OutputStream out,
      Progress progress) {
    int blockSize = capacity.blockSize();
    CopyRecord record = readRecord(drive, capacity, lba, first);
    // FIG. 6: the medium ID comes from the drive (the read-only ID area), never from the record.
    String mediumId = drive.mediumId();
    CopyCertificate cs =
        CopyCertificates.verify(record.copyCertificate(), authorityPublicKey, titleId, mediumId);
    SealedKey sealed;
    try {
      sealed = SealedKey.decode(record.sealedKey());
    } catch (ParameterException e) {
      throw new FlowException("the copy record's sealed key is unreadable: " + e.getMessage());
    }
    byte[] kd = userKey.open(sealed, cs.titleId(), cs.mediumId());
    try {
      long blocks = (record.plaintextLength() + blockSize - 1) / blockSize;
      if (record.dataLba() < 0 || record.dataLba() + blocks > capacity.blocks()) {
        throw new FlowException("the copy record places the title beyond the end of the medium");
      }
      Mac check = Titles.digest(kd);
      byte[] sha256 = decrypt(drive, record, kd, check, blockSize, out, progress);
      if (!MessageDigest.isEqual(check.doFinal(), record.digest())) {
        // The bytes already written to out are not the title: the caller discards them.
        throw new FlowException(
            "the copy of "
                + titleId
                + " at LBA "
                + lba
                + " does not match the master's digest of its plaintext: the copy is incomplete or"
                + " damaged; copy it again");
      }
      return new Ran(titleId, 1, record.plaintextLength(), sha256);
    } finally {
      Arrays.fill(kd, (byte) 0);
    }
  }

  private static CopyRecord readRecord(Drive drive, Capacity capacity, long lba, byte[] first) {
    byte[] bytes = first;
    // A record is at most a few kilobytes; read more blocks only if its fields run past the first.
    for (int blocks = 2; ; blocks *= 2) {
      try {
        return CopyRecord.decode(bytes);
      } catch (ParameterException e) {
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

  private static byte[] decrypt(
      Drive drive,
      CopyRecord record,
      byte[] kd,
      Mac check,
      int blockSize,
      OutputStream out,
      Progress progress) {
    MessageDigest sha256 = Titles.sha256();
    Cipher cipher = Titles.cipher(kd, record.nonce(), 0);
    long total = record.plaintextLength();
    long blocks = (total + blockSize - 1) / blockSize;
    int chunk = Math.max(1, SoftwareCopy.CHUNK / blockSize);
    Pipeline<ByteBuf> reads = new Pipeline<>(Player.READS_IN_FLIGHT);
    long issued = 0;
    long written = 0;
    byte[] buffer = new byte[chunk * blockSize];
    progress.update(0, total);
    try {
      while (written < total) {
        while (issued < blocks && reads.hasRoom()) {
          int count = (int) Math.min(chunk, blocks - issued);
          reads.add(drive.readBuffer(record.dataLba() + issued, count, blockSize));
          issued += count;
        }
        ByteBuf data = reads.next();
        int n;
        try {
          n = data.readableBytes();
          data.getBytes(data.readerIndex(), buffer, 0, n);
        } finally {
          data.release();
        }
        try {
          cipher.update(buffer, 0, n, buffer, 0);
        } catch (ShortBufferException e) {
          throw new IllegalStateException(e);
        }
        // The last block is padding beyond the plaintext length.
        int keep = (int) Math.min(n, total - written);
        sha256.update(buffer, 0, keep);
        check.update(buffer, 0, keep);
        out.write(buffer, 0, keep);
        written += keep;
        progress.update(written, total);
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      reads.drainQuietly(ByteBuf::release);
    }
    return sha256.digest();
  }

  private static int magic(String text) {
    return magic(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static int magic(byte[] b) {
    return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
  }
}
