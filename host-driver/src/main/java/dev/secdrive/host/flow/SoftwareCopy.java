package dev.secdrive.host.flow;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.DriveException;
import dev.secdrive.kit.crypto.AesGcm;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CopyRecord;
import dev.secdrive.protocol.security.InstallConversion;
import dev.secdrive.protocol.security.MasterCatalog;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.SealedKey;
import dev.secdrive.protocol.security.TitleHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * The user's terminal of the software copy (seed 003): copies a title from a pressed master in one
 * drive to the user's medium in another with the central site's consent.
 *
 * <ul>
 *   <li>{@link #certificateCopy} — embodiment 1 (FIG. 2-6): the site issues a copy certificate CS
 *       for this title, this medium and this user, and the title key Kd sealed to the user key; the
 *       terminal writes both to the target as a {@link CopyRecord}, reads it back and verifies it,
 *       then copies the ciphertext verbatim.
 *   <li>{@link #convertedCopy} — embodiment 2 (FIG. 7-10): the site seals Ku and Ka to the target
 *       drive; INSTALL CONVERSION hands them to it, and every block streamed from the master is
 *       re-encrypted from Ka to Ku inside the target drive (CONVERT WRITE), so plaintext never
 *       crosses the wire.
 * </ul>
 *
 * <p>Everything that can be checked is checked before the site is asked (which bills the user) and
 * before anything is written: the title is on the master and of the right scheme, the target is
 * writable and large enough.
 */
public final class SoftwareCopy {

  /** Bytes per READ of the master (and per WRITE or CONVERT WRITE of the target). */
  public static final int CHUNK = 1 << 20;

  /** Chunks in flight at once, each being read from the master or written to the target. */
  public static final int IN_FLIGHT = 6;

  private SoftwareCopy() {}

  /** What a copy did. */
  public record Copied(
      String titleId,
      int scheme,
      String mediumId,
      long serial,
      long lba,
      long dataLba,
      long plaintextLength,
      long bytesCopied) {}

  // ---------------------------------------------------------------- the master

  /**
   * Reads the catalog at LBA 0 of the master (FIG. 4 S1).
   *
   * @throws FlowException if the medium holds no master catalog
   */
  public static MasterCatalog readCatalog(Drive master) {
    int blockSize = master.capacity().blockSize();
    byte[] first = master.read(0, 1);
    try {
      long length = MasterCatalog.encodedLength(first);
      if (length < 0) {
        throw new FlowException("the master's first block is too short for a catalog");
      }
      byte[] all = first;
      if (length > first.length) {
        long blocks = (length + blockSize - 1) / blockSize;
        if (blocks > master.capacity().blocks()) {
          throw new FlowException(
              "the master catalog claims " + length + " bytes, more than the medium holds");
        }
        all = master.read(0, (int) blocks);
      }
      return MasterCatalog.decode(all);
    } catch (ParameterException e) {
      throw new FlowException(
          "the medium in "
              + master.uri()
              + " holds no master catalog at LBA 0: "
              + e.getMessage()
              + " (at byte "
              + e.offset()
              + ")");
    }
  }

  /**
   * The catalog entry of {@code titleId}, checked to be of {@code scheme} and to lie on the master.
   */
  static MasterCatalog.Entry entry(
      Drive master, MasterCatalog catalog, String titleId, int scheme) {
    MasterCatalog.Entry entry =
        catalog
            .find(titleId)
            .orElseThrow(
                () ->
                    new FlowException(
                        "title "
                            + titleId
                            + " is not on the master (its catalog lists "
                            + (catalog.titles().isEmpty()
                                ? "nothing"
                                : String.join(
                                    ", ",
                                    catalog.titles().stream()
                                        .map(MasterCatalog.Entry::titleId)
                                        .toList()))
                            + ")"));
    if (scheme != 0 && entry.scheme() != scheme) {
      throw new FlowException(
          "title "
              + titleId
              + " is a scheme-"
              + entry.scheme()
              + " title ("
              + schemeName(entry.scheme())
              + "), not scheme "
              + scheme);
    }
    Capacity capacity = master.capacity();
    if (entry.firstLba() + entry.dataBlocks(capacity.blockSize()) > capacity.blocks()) {
      throw new FlowException(
          "the master catalog places title " + titleId + " beyond the end of the master medium");
    }
    return entry;
  }

  static String schemeName(int scheme) {
    return scheme == MasterCatalog.SCHEME_CERTIFICATE ? "certificate copy" : "converted copy";
  }

  /**
   * Copies by the scheme the master's catalog gives the title; {@code userKey} signs the request
   * (both schemes) and opens Kd (scheme 1).
   */
  public static Copied copy(
      Drive master,
      Drive target,
      CenterClient center,
      String userId,
      UserKey userKey,
      String titleId,
      long targetLba,
      Progress progress) {
    MasterCatalog catalog = readCatalog(master);
    MasterCatalog.Entry entry = entry(master, catalog, titleId, 0);
    return entry.scheme() == MasterCatalog.SCHEME_CERTIFICATE
        ? certificateCopy(master, target, center, userId, userKey, titleId, targetLba, progress)
        : convertedCopy(master, target, center, userId, userKey, titleId, targetLba, progress);
  }

  // ---------------------------------------------------------------- scheme 1 (FIG. 4)

  /**
   * Embodiment 1 (FIG. 4): the copy record at {@code targetLba}, the title's ciphertext after it.
   *
   * @param userKey the user key: it signs the request, and the sealed Kd must open with it
   * @throws FlowException for a title not on the master or of scheme 2, a write-protected or too
   *     small target, a refusal of the central site (unknown title, unknown user, unpaid bills), or
   *     a copy certificate that does not verify
   */
  public static Copied certificateCopy(
      Drive master,
      Drive target,
      CenterClient center,
      String userId,
      UserKey userKey,
      String titleId,
      long targetLba,
      Progress progress) {
    // S1: the title in the master's catalog.
    MasterCatalog.Entry entry =
        entry(master, readCatalog(master), titleId, MasterCatalog.SCHEME_CERTIFICATE);
    Capacity capacity = target.capacity();
    int blockSize = capacity.blockSize();
    checkWritable(target);
    String mediumId = target.mediumId();

    // The record's length is known exactly before the site is asked: every field but the site's
    // certificate is fixed by the title, the medium and the user.
    CenterClient.CenterInfo info = center.center();
    long recordBytes = recordLength(info.certificate(), titleId, mediumId, userId);
    long recordBlocks = (recordBytes + blockSize - 1) / blockSize;
    long dataBlocks = entry.dataBlocks(blockSize);
    checkFits(
        capacity, targetLba, recordBlocks + dataBlocks, entry.plaintextLength(), "copy record");

    // S2-S3: SIDi, IDk (and the user) to the site; CS and the sealed Kd back.
    CenterClient.CertificateIssue issue =
        center.copyCertificate(userId, userKey, titleId, mediumId);
    CopyCertificates.verify(issue.copyCertificate(), info.authorityPublicKey(), titleId, mediumId);
    openKd(userKey, issue.sealedKey(), titleId, mediumId);

    long dataLba = targetLba + recordBlocks;
    CopyRecord record =
        new CopyRecord(
            issue.copyCertificate(),
            issue.sealedKey(),
            entry.nonce(),
            entry.plaintextLength(),
            entry.digest(),
            dataLba);
    byte[] bytes = record.encode();
    if (bytes.length != recordBytes) {
      // The target's room was checked for recordBytes before the site was asked.
      throw new FlowException(
          "the central site's answer makes a copy record of "
              + bytes.length
              + " bytes, not the "
              + recordBytes
              + " its certificate announced");
    }
    byte[] encoded = Arrays.copyOf(bytes, (int) (recordBlocks * blockSize));

    // S4-S6: write CS, read it back from the medium, verify it against the medium it is on.
    target.write(targetLba, encoded);
    boolean done = false;
    try {
      byte[] back = target.read(targetLba, (int) recordBlocks);
      CopyRecord read;
      try {
        read = CopyRecord.decode(back);
      } catch (ParameterException e) {
        throw new FlowException("the copy record read back from the target is unreadable");
      }
      if (!Arrays.equals(back, encoded)) {
        throw new FlowException(
            "the copy record read back from the target differs from the one written");
      }
      CopyCertificates.verify(
          read.copyCertificate(), info.authorityPublicKey(), titleId, target.mediumId());

      // S7: the title's ciphertext, verbatim.
      long copied = writeCiphertext(master, target, entry, dataLba, progress);
      done = true;
      return new Copied(
          titleId,
          MasterCatalog.SCHEME_CERTIFICATE,
          mediumId,
          issue.serial(),
          targetLba,
          dataLba,
          entry.plaintextLength(),
          copied);
    } finally {
      if (!done) {
        eraseRecord(target, targetLba, encoded.length);
      }
    }
  }

  /** The encoded length of the copy record the site's answer will make. */
  static long recordLength(
      Certificate centerCertificate, String titleId, String mediumId, String userId) {
    long cs =
        5 // magic, version
            + 1
            + ascii(titleId)
            + 1
            + ascii(mediumId)
            + 1
            + ascii(userId)
            + 8
            + 8 // serial, issue time
            + 2
            + centerCertificate.encode().length
            + Certificate.SIGNATURE_LENGTH;
    long sealed = Certificate.KEY_LENGTH + 2 + Crypto.KEY_LENGTH + AesGcm.TAG_LENGTH;
    return 5 + 2 + cs + 2 + sealed + 8 + 8 + MasterCatalog.DIGEST_LENGTH + 8;
  }

  private static int ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII).length;
  }

  private static byte[] openKd(UserKey userKey, byte[] sealedKey, String titleId, String mediumId) {
    SealedKey sealed;
    try {
      sealed = SealedKey.decode(sealedKey);
    } catch (ParameterException e) {
      throw new FlowException("the central site sent an unreadable sealed key: " + e.getMessage());
    }
    byte[] kd = userKey.open(sealed, titleId, mediumId);
    Arrays.fill(kd, (byte) 0);
    return kd;
  }

  /** A copy that failed after its record was written leaves no record that claims a title. */
  private static void eraseRecord(Drive target, long lba, int length) {
    try {
      target.write(lba, new byte[length]);
    } catch (DriveException e) {
      // best effort: the first failure is the one reported
    }
  }

  // ---------------------------------------------------------------- scheme 2 (FIG. 9)

  /**
   * Embodiment 2 (FIG. 9): the converted title's header at {@code targetLba} (written by the target
   * drive), its data after it.
   *
   * @param userKey the user key that signs the request
   * @throws FlowException for a title not on the master or of scheme 1, a write-protected or too
   *     small target, or a refusal of the central site
   * @throws dev.secdrive.host.api.ScsiException when the target drive refuses the grant
   */
  public static Copied convertedCopy(
      Drive master,
      Drive target,
      CenterClient center,
      String userId,
      UserKey userKey,
      String titleId,
      long targetLba,
      Progress progress) {
    MasterCatalog.Entry entry =
        entry(master, readCatalog(master), titleId, MasterCatalog.SCHEME_CONVERSION);
    Capacity capacity = target.capacity();
    int blockSize = capacity.blockSize();
    checkWritable(target);
    checkFits(
        capacity,
        targetLba,
        1 + entry.dataBlocks(blockSize),
        entry.plaintextLength(),
        "title header");
    String mediumId = target.mediumId();
    Certificate driveCertificate = target.secure().certificate();

    // S41-S43: the request with the target drive's certificate; Ku and Ka sealed to that drive.
    CenterClient.ConversionIssue issue =
        center.conversion(userId, userKey, titleId, mediumId, driveCertificate);
    target
        .secure()
        .installConversion(
            new InstallConversion(
                issue.grant(), targetLba, entry.plaintextLength(), entry.nonce()));

    // S44-S46: master ciphertext into the target drive, which converts it from Ka to Ku.
    long copied =
        stream(
            master,
            target,
            entry,
            (offset, data) -> target.secure().convertWriteAsync(offset, data),
            progress);
    // The drive writes the title header when the last block is converted (PROTOCOL.md "Scheme 2").
    requireHeader(target, targetLba, titleId);
    return new Copied(
        titleId,
        MasterCatalog.SCHEME_CONVERSION,
        mediumId,
        issue.serial(),
        targetLba,
        targetLba + 1,
        entry.plaintextLength(),
        copied);
  }

  private static void requireHeader(Drive target, long lba, String titleId) {
    try {
      TitleHeader header = TitleHeader.decode(target.read(lba, 1));
      if (header.contentId().equals(titleId)) {
        return;
      }
    } catch (ParameterException e) {
      // no header: reported below
    }
    throw new FlowException(
        "the target drive did not complete the conversion of "
            + titleId
            + ": no title header at LBA "
            + lba
            + " after every block was sent");
  }

  // ---------------------------------------------------------------- checks

  static void checkWritable(Drive target) {
    if (target.writeProtected()) {
      throw new FlowException(
          "the target medium "
              + target.mediumId()
              + " in "
              + target.uri()
              + " is write-protected; nothing was copied");
    }
  }

  static void checkFits(Capacity capacity, long lba, long blocks, long length, String first) {
    if (lba < 0) {
      throw new FlowException("target LBA must not be negative: " + lba);
    }
    if (lba + blocks > capacity.blocks()) {
      throw new FlowException(
          String.format(
              "the target is too small: a title of %d bytes needs %d blocks (%s and data) from LBA"
                  + " %d to LBA %d, but the target medium's last LBA is %d; nothing was copied",
              length, blocks, first, lba, lba + blocks - 1, capacity.lastLba()));
    }
  }

  // ---------------------------------------------------------------- streaming

  /**
   * Copies title {@code titleId}'s ciphertext from the master verbatim to {@code dataLba} on the
   * target with plain READs and WRITEs and a SYNCHRONIZE CACHE at the end, nothing else: what a
   * certificate copy does after its record, and the yardstick the converted copy (which the drive
   * syncs before it writes the title header) is measured against.
   *
   * @return bytes written to the target
   */
  public static long copyCiphertext(
      Drive master, Drive target, String titleId, long dataLba, Progress progress) {
    MasterCatalog.Entry entry = entry(master, readCatalog(master), titleId, 0);
    Capacity capacity = target.capacity();
    int blockSize = capacity.blockSize();
    checkFits(capacity, dataLba, entry.dataBlocks(blockSize), entry.plaintextLength(), "no header");
    return writeCiphertext(master, target, entry, dataLba, progress);
  }

  /** The title's ciphertext verbatim at {@code dataLba}, synced to the target medium. */
  private static long writeCiphertext(
      Drive master, Drive target, MasterCatalog.Entry entry, long dataLba, Progress progress) {
    int blockSize = target.capacity().blockSize();
    long written =
        stream(
            master,
            target,
            entry,
            (offset, data) -> target.writeBuffer(dataLba + offset / blockSize, data, blockSize),
            progress);
    // Done means on the medium, not in the drive's write cache.
    target.synchronizeCache();
    return written;
  }

  /**
   * Streams the title's ciphertext from the master to {@code write}, {@link #IN_FLIGHT} chunks at
   * once: each chunk is a READ whose buffer is handed to the write without a copy. The target
   * receives its own data blocks' worth (the master's last block may be longer or shorter than the
   * target's); bytes beyond the plaintext length are padding either way.
   *
   * @return bytes written to the target
   */
  static long stream(
      Drive master,
      Drive target,
      MasterCatalog.Entry entry,
      BiFunction<Long, ByteBuf, CompletableFuture<Void>> write,
      Progress progress) {
    int masterBlock = master.capacity().blockSize();
    int targetBlock = target.capacity().blockSize();
    if (CHUNK % masterBlock != 0 || CHUNK % targetBlock != 0) {
      throw new FlowException(
          "block sizes "
              + masterBlock
              + " (master) and "
              + targetBlock
              + " (target) must divide "
              + CHUNK);
    }
    long length = entry.plaintextLength();
    long targetBytes = entry.dataBlocks(targetBlock) * targetBlock;
    long masterBytes = entry.dataBlocks(masterBlock) * masterBlock;
    Pipeline<Long> chunks = new Pipeline<>(IN_FLIGHT);
    long issued = 0;
    long done = 0;
    progress.update(0, length);
    try {
      while (done < targetBytes) {
        while (issued < targetBytes && chunks.hasRoom()) {
          long offset = issued;
          int bytes = (int) Math.min(CHUNK, targetBytes - offset);
          long available = masterBytes - offset;
          int readBytes =
              (int) Math.min(available, (bytes + masterBlock - 1) / masterBlock * masterBlock);
          chunks.add(
              master
                  .readBuffer(
                      entry.firstLba() + offset / masterBlock, readBytes / masterBlock, masterBlock)
                  .thenCompose(data -> write.apply(offset, fit(data, bytes)))
                  .thenApply(v -> (long) bytes));
          issued += bytes;
        }
        done += chunks.next();
        progress.update(Math.min(done, length), length);
      }
    } finally {
      chunks.drainQuietly(v -> {});
    }
    return done;
  }

  /** {@code data} cut or zero padded to {@code bytes}, without copying it. */
  private static ByteBuf fit(ByteBuf data, int bytes) {
    int have = data.readableBytes();
    if (have > bytes) {
      data.writerIndex(data.readerIndex() + bytes);
      return data;
    }
    if (have < bytes) {
      return Unpooled.wrappedBuffer(data, Unpooled.wrappedBuffer(new byte[bytes - have]));
    }
    return data;
  }
}
