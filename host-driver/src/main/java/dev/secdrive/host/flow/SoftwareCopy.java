package dev.secdrive.host.flow;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.DriveException;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.CopyCertificate;
import dev.secdrive.protocol.security.CopyRecord;
import dev.secdrive.protocol.security.InstallConversion;
import dev.secdrive.protocol.security.InstallCopy;
import dev.secdrive.protocol.security.MasterCatalog;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.TitleHeader;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.SenseKey;
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
 *       for this title, this medium, this user and the target drive, carrying the title key Kd
 *       sealed to that drive; the terminal writes CS to the target as a {@link CopyRecord}, reads
 *       it back and verifies it, copies the ciphertext verbatim, and INSTALL COPY hands CS to the
 *       drive, which checks the copy and licenses the title on the medium.
 *   <li>{@link #convertedCopy} — embodiment 2 (FIG. 7-10): the site seals Ku and Ka to the target
 *       drive; INSTALL CONVERSION hands them to it, and every block streamed from the master is
 *       re-encrypted from Ka to Ku inside the target drive (CONVERT WRITE), so plaintext never
 *       crosses the wire.
 * </ul>
 *
 * <p>Everything that can be checked is checked before the site is asked (which bills the user) and
 * before anything is written: the title is on the master and of the right scheme, the target is
 * writable and large enough, its drive has the security command set, and it answers CHECK INSTALL
 * without a refusal.
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
   * Copies by the scheme the master's catalog gives the title; {@code userKey} signs the request.
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
   * Embodiment 1 (FIG. 4): the copy record at {@code targetLba}, the title's header in the block
   * after it (written by the target drive), the master's ciphertext verbatim after that. The site
   * seals Kd to the target drive inside CS; INSTALL COPY hands it to the drive, which checks the
   * copied data against the master's digest and licenses the title on this medium. The terminal
   * never holds Kd.
   *
   * @param userKey the user key that signs the request
   * @throws FlowException for a title not on the master or of scheme 2, a write-protected or too
   *     small target, a refusal of the central site (unknown title, user or signature, unpaid
   *     bills), or a copy certificate that does not verify
   * @throws dev.secdrive.host.api.ScsiException when the target drive refuses (CHECK INSTALL before
   *     the site is asked, INSTALL COPY after the copy)
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
    Certificate driveCertificate = targetCertificate(target);
    checkWritable(target);
    String mediumId = target.mediumId();
    CenterClient.CenterInfo info = center.center();

    // The record's length is known exactly before the site is asked: every field of CS but the
    // serial and the time (fixed width) is fixed by the title, the medium, the user and the drive.
    int recordBytes =
        CopyRecord.encodedLength(
            CopyCertificate.encodedLength(
                titleId,
                mediumId,
                userId,
                driveCertificate.subject(),
                info.certificate().encode().length));
    long recordBlocks = (recordBytes + blockSize - 1) / blockSize;
    long headerLba = targetLba + recordBlocks;
    checkFits(
        capacity,
        targetLba,
        recordBlocks + 1 + entry.dataBlocks(blockSize),
        entry.plaintextLength(),
        "copy record, title header");
    checkInstall(target, titleId, info);

    // S2-S3: SIDi, IDk, the user and the target drive to the site; CS with Kd sealed to the drive.
    CenterClient.CertificateIssue issue =
        center.copyCertificate(userId, userKey, titleId, mediumId, driveCertificate);
    CopyCertificate cs =
        CopyCertificates.verify(
            issue.copyCertificate(), info.authorityPublicKey(), titleId, mediumId);
    if (!cs.deviceId().equals(driveCertificate.subject())) {
      throw new FlowException(
          "the central site sealed the title key to drive "
              + cs.deviceId()
              + ", not to the target drive "
              + driveCertificate.subject());
    }
    CopyRecord record =
        new CopyRecord(
            issue.copyCertificate(),
            entry.nonce(),
            entry.plaintextLength(),
            entry.digest(),
            headerLba);
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
    byte[] recordArea = Arrays.copyOf(bytes, (int) (recordBlocks * blockSize));

    // S4-S6: write CS (and clear the header block), read it back, verify it against the medium.
    boolean done = false;
    try {
      target.write(targetLba, Arrays.copyOf(recordArea, recordArea.length + blockSize));
      byte[] back = target.read(targetLba, (int) recordBlocks);
      if (!Arrays.equals(back, recordArea)) {
        throw new FlowException(
            "the copy record read back from the target differs from the one written");
      }
      CopyCertificates.verify(
          CopyRecord.decode(back).copyCertificate(),
          info.authorityPublicKey(),
          titleId,
          target.mediumId());

      // S7: the title's ciphertext, verbatim; then the drive checks it and licenses the title.
      long copied = writeCiphertext(master, target, entry, headerLba + 1, progress);
      target
          .secure()
          .installCopy(
              new InstallCopy(
                  issue.copyCertificate(),
                  headerLba,
                  entry.plaintextLength(),
                  entry.nonce(),
                  entry.digest()));
      done = true;
      return new Copied(
          titleId,
          MasterCatalog.SCHEME_CERTIFICATE,
          mediumId,
          issue.serial(),
          targetLba,
          headerLba + 1,
          entry.plaintextLength(),
          copied);
    } catch (ParameterException e) {
      throw new FlowException("the copy record read back from the target is unreadable");
    } finally {
      if (!done) {
        eraseRecord(target, targetLba, recordArea.length);
      }
    }
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
    Certificate driveCertificate = targetCertificate(target);
    checkWritable(target);
    checkFits(
        capacity,
        targetLba,
        1 + entry.dataBlocks(blockSize),
        entry.plaintextLength(),
        "title header");
    String mediumId = target.mediumId();
    checkInstall(target, titleId, center.center());

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

  /**
   * The target drive's certificate, which both schemes seal the title's keys to: a drive without
   * the security command set (a CD-ROM reader) cannot hold a copy, and says so before anything is
   * asked of the site.
   */
  static Certificate targetCertificate(Drive target) {
    try {
      return target.secure().certificate();
    } catch (ScsiException e) {
      if (e.is(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_COMMAND_OPERATION_CODE)) {
        throw new FlowException(
            "the target drive in "
                + target.uri()
                + " has no security command set (it refused SECURITY PROTOCOL IN), so it cannot"
                + " hold a licensed copy; nothing was copied");
      }
      throw e;
    }
  }

  /**
   * CHECK INSTALL: the target drive answers the refusal the install of the title from this site
   * would meet on its medium (write protection, a secure area it cannot read, another licensor's
   * license for the title, no room for one more license), before the site is asked and bills.
   */
  static void checkInstall(Drive target, String titleId, CenterClient.CenterInfo site) {
    target.secure().checkInstall(titleId, site.certificate());
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
