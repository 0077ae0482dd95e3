package dev.secdrive.host.flow;

import dev.secdrive.host.api.Capacity;
import dev.secdrive.host.api.Drive;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.BackupBlob;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.LicenseStatus;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ProvisionRequest;
import dev.secdrive.protocol.security.Sealing;
import dev.secdrive.protocol.security.TitleHeader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;

/**
 * The licensor's side of FIG. 5: encrypts a content into a title in the user area with ordinary
 * WRITEs (S2-S6) and installs its license in the secure area with a signed PROVISION (S8-S10).
 *
 * <p>The content key is made here, sealed to the drive's certified X25519 key, and forgotten: only
 * a drive the licensing authority certified can open it, and the key never travels in the clear.
 */
public final class Licensor {

  /** Bytes per WRITE. */
  static final int WRITE_CHUNK = 1 << 20;

  /** WRITEs in flight at once. */
  static final int WRITES_IN_FLIGHT = 4;

  private static final int GCM_NONCE_LENGTH = 12;

  private final LicensorCredential credential;

  public Licensor(LicensorCredential credential) {
    this.credential = credential;
  }

  /** What a provision did. */
  public record Provisioned(
      String mediumId,
      String deviceId,
      String contentId,
      long headerLba,
      long dataBlocks,
      long plaintextLength,
      long plays) {}

  /** As {@link #provision(Drive, String, InputStream, long, long, long, Progress)}, from a file. */
  public Provisioned provision(
      Drive drive, String contentId, Path content, long headerLba, long plays, Progress progress) {
    return provision(drive, contentId, content, headerLba, plays, false, progress);
  }

  /**
   * As {@link #provision(Drive, String, InputStream, long, long, long, boolean, Progress)}, from a
   * file.
   */
  public Provisioned provision(
      Drive drive,
      String contentId,
      Path content,
      long headerLba,
      long plays,
      boolean replace,
      Progress progress) {
    long length;
    try {
      length = Files.size(content);
    } catch (NoSuchFileException e) {
      throw new FlowException("content file " + content + " does not exist");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (InputStream in = Files.newInputStream(content)) {
      return provision(drive, contentId, in, length, headerLba, plays, replace, progress);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * As {@link #provision(Drive, String, InputStream, long, long, long, boolean, Progress)}, not
   * replacing anything.
   */
  public Provisioned provision(
      Drive drive,
      String contentId,
      InputStream content,
      long length,
      long headerLba,
      long plays,
      Progress progress) {
    return provision(drive, contentId, content, length, headerLba, plays, false, progress);
  }

  /**
   * Writes {@code content} ({@code length} bytes) as title {@code contentId} with its header at
   * {@code headerLba} and its data blocks after it, then installs a license for {@code plays} plays
   * ({@link ProvisionRequest#UNLIMITED} for no limit).
   *
   * <p>Everything that can be checked is checked before the first WRITE: the content fits the
   * medium, the drive's certificate is the authority's and names this drive, and — unless {@code
   * replace} — the content is not licensed on the medium yet and the blocks the title would take
   * hold no other title and no license backup; and, even with {@code replace}, that no other
   * licensor licensed the content (LICENSE STATUS names each license's licensor), which the drive
   * would refuse (reason 0Dh) only after the title was written.
   *
   * @param replace provision even over a license of the same content and over what the target
   *     blocks hold
   * @throws FlowException for a content that does not fit, a drive that is not certified, a content
   *     already licensed or blocks already used (without {@code replace}), ...
   * @throws dev.secdrive.host.api.ScsiException when the drive refuses a command
   */
  public Provisioned provision(
      Drive drive,
      String contentId,
      InputStream content,
      long length,
      long headerLba,
      long plays,
      boolean replace,
      Progress progress) {
    checkArguments(contentId, length, plays);
    Capacity capacity = drive.capacity();
    int blockSize = capacity.blockSize();
    long dataBlocks = TitleHeader.unchecked(contentId, new byte[8], length).dataBlocks(blockSize);
    checkFits(capacity, headerLba, dataBlocks, length);

    // FIG. 5 S8: the medium and the drive, checked before anything is written.
    String mediumId = drive.mediumId();
    String deviceId = drive.deviceId();
    Certificate driveCertificate = drive.secure().certificate();
    Certificates.checkDrive(driveCertificate, deviceId, credential.authorityPublicKey());
    LicenseStatus status = drive.secure().status();
    checkNotAnothersContent(status, mediumId, contentId);
    if (!replace) {
      checkNothingIsReplaced(drive, status, mediumId, contentId, headerLba, dataBlocks, blockSize);
    }

    // S2: a fresh content key and nonce for this title.
    byte[] contentKey = Bytes.random(Crypto.KEY_LENGTH);
    byte[] nonce = Bytes.random(TitleHeader.NONCE_LENGTH);
    try {
      // S5-S6: the data first, the header last, so a title with a header is a whole title.
      writeData(drive, content, length, headerLba + 1, blockSize, contentKey, nonce, progress);
      TitleHeader header = Titles.header(contentKey, contentId, nonce, length);
      drive.write(headerLba, header.encode(blockSize));

      // S9-S10
      byte[] challenge = drive.secure().challenge();
      ProvisionRequest request =
          request(
              credential,
              driveCertificate,
              challenge,
              mediumId,
              contentId,
              plays,
              contentKey,
              X25519.generate());
      drive.secure().provision(request);
    } finally {
      Arrays.fill(contentKey, (byte) 0);
    }
    return new Provisioned(mediumId, deviceId, contentId, headerLba, dataBlocks, length, plays);
  }

  /**
   * Refuses, even with replace, content that another licensor licensed on the medium: the drive
   * would refuse its PROVISION (reason 0Dh) only after the title had been overwritten.
   */
  private void checkNotAnothersContent(LicenseStatus status, String mediumId, String contentId) {
    String own = credential.certificate().subject();
    for (LicenseStatus.Entry entry : status.entries()) {
      if (entry.contentId().equals(contentId)
          && !entry.licensor().isEmpty()
          && !entry.licensor().equals(own)) {
        throw new FlowException(
            "content "
                + contentId
                + " on medium "
                + mediumId
                + " is licensed by '"
                + entry.licensor()
                + "', not by '"
                + own
                + "': only its licensor can replace it; nothing was written");
      }
    }
  }

  /**
   * Refuses to provision over what the medium already holds: a license for {@code contentId}
   * ({@code status}), or another title or a license backup in the blocks the title would take
   * (every one of them is read back, so a provision costs its I/O twice). The data of a title whose
   * header lies before {@code headerLba} is ciphertext and cannot be told from free blocks;
   * choosing the LBA stays the caller's part.
   */
  static void checkNothingIsReplaced(
      Drive drive,
      LicenseStatus status,
      String mediumId,
      String contentId,
      long headerLba,
      long dataBlocks,
      int blockSize) {
    for (LicenseStatus.Entry entry : status.entries()) {
      if (entry.contentId().equals(contentId)) {
        throw new FlowException(
            "content "
                + contentId
                + " is already licensed on medium "
                + mediumId
                + " ("
                + (entry.playsLeft() == LicenseStatus.UNLIMITED
                    ? "unlimited plays"
                    : entry.playsLeft() + " plays left")
                + "); provisioning it again replaces that license (--replace)");
      }
    }
    int chunk = Math.max(1, WRITE_CHUNK / blockSize);
    long end = headerLba + 1 + dataBlocks;
    for (long lba = headerLba; lba < end; lba += chunk) {
      int blocks = (int) Math.min(chunk, end - lba);
      byte[] data = drive.read(lba, blocks);
      for (int i = 0; i < blocks; i++) {
        byte[] block = Arrays.copyOfRange(data, i * blockSize, (i + 1) * blockSize);
        String held = held(block, lba + i == headerLba ? contentId : null);
        if (held != null) {
          throw new FlowException(
              String.format(
                  "LBA %d of medium %s holds %s; a title of %s at LBA %d-%d would overwrite it"
                      + " (choose another LBA, or --replace)",
                  lba + i, mediumId, held, contentId, headerLba, end - 1));
        }
      }
    }
  }

  /**
   * What a block that starts a title or a backup blob holds, or null; a header of {@code
   * ownContentId} is this content's own title (a provision that was refused or is repeated).
   */
  private static String held(byte[] block, String ownContentId) {
    try {
      TitleHeader header = TitleHeader.decode(block);
      return header.contentId().equals(ownContentId)
          ? null
          : "the header of title " + header.contentId();
    } catch (ParameterException e) {
      // not a title header
    }
    try {
      if (BackupBlob.encodedLength(block) > 0) {
        return "a license backup";
      }
    } catch (ParameterException e) {
      // not the start of a backup blob
    }
    return null;
  }

  private static void checkArguments(String contentId, long length, long plays) {
    try {
      TitleHeader.unchecked(contentId, new byte[TitleHeader.NONCE_LENGTH], 0);
    } catch (IllegalArgumentException e) {
      throw new FlowException("content ID '" + contentId + "': " + e.getMessage());
    }
    if (length < 0) {
      throw new FlowException("content length must not be negative: " + length);
    }
    if (plays < 1 || plays > ProvisionRequest.UNLIMITED) {
      throw new FlowException(
          "plays must be 1.." + (ProvisionRequest.UNLIMITED - 1) + " or unlimited, not " + plays);
    }
  }

  /** The title must lie wholly within the medium: refuse before writing a block of it. */
  static void checkFits(Capacity capacity, long headerLba, long dataBlocks, long length) {
    if (headerLba < 0) {
      throw new FlowException("header LBA must not be negative: " + headerLba);
    }
    long last = headerLba + dataBlocks; // header plus data blocks
    if (headerLba > capacity.lastLba() || last > capacity.lastLba()) {
      throw new FlowException(
          String.format(
              "a title of %d bytes needs %d blocks (header and %d data blocks of %d bytes) from"
                  + " LBA %d to LBA %d, but the medium's last LBA is %d",
              length,
              dataBlocks + 1,
              dataBlocks,
              capacity.blockSize(),
              headerLba,
              last,
              capacity.lastLba()));
    }
  }

  private static void writeData(
      Drive drive,
      InputStream content,
      long length,
      long firstLba,
      int blockSize,
      byte[] contentKey,
      byte[] nonce,
      Progress progress) {
    Cipher cipher = Titles.cipher(contentKey, nonce, 0);
    int chunk = WRITE_CHUNK / blockSize * blockSize;
    Pipeline<Void> writes = new Pipeline<>(WRITES_IN_FLIGHT);
    long done = 0;
    long lba = firstLba;
    progress.update(0, length);
    try {
      while (done < length) {
        int n = (int) Math.min(chunk, length - done);
        byte[] plain = content.readNBytes(n);
        if (plain.length < n) {
          throw new FlowException(
              "the content ended after " + (done + plain.length) + " of " + length + " bytes");
        }
        // PROTOCOL.md "Titles": the last block is zero-padded before encryption.
        int padded = (n + blockSize - 1) / blockSize * blockSize;
        byte[] block = Arrays.copyOf(plain, padded);
        encryptInPlace(cipher, block);
        if (!writes.hasRoom()) {
          writes.next();
        }
        writes.add(drive.writeAsync(lba, block));
        lba += padded / blockSize;
        done += n;
        progress.update(done, length);
      }
      while (!writes.isEmpty()) {
        writes.next();
      }
      if (content.read() >= 0) {
        throw new FlowException("the content is longer than the " + length + " bytes announced");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writes.drainQuietly(v -> {});
    }
  }

  private static void encryptInPlace(Cipher cipher, byte[] block) {
    try {
      int out = cipher.update(block, 0, block.length, block, 0);
      if (out != block.length) {
        throw new IllegalStateException("AES-CTR returned " + out + " of " + block.length);
      }
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The signed PROVISION parameter list: {@code contentKey} sealed to the drive's X25519 key with
   * AES-256-GCM under KDF(X25519(ephemeral, drive), "provision", ephemeral public ‖ drive public),
   * AAD binding it to this challenge, medium and content.
   */
  /**
   * A signed PROVISION parameter list for a drive the licensor does not talk to itself — a
   * licensing back end answers a host that relayed the drive's certificate, a challenge and the
   * medium ID. The content key is sealed to the drive's certified X25519 key with a fresh ephemeral
   * key.
   */
  public static ProvisionRequest request(
      LicensorCredential credential,
      Certificate driveCertificate,
      byte[] challenge,
      String mediumId,
      String contentId,
      long plays,
      byte[] contentKey) {
    return request(
        credential,
        driveCertificate,
        challenge,
        mediumId,
        contentId,
        plays,
        contentKey,
        X25519.generate());
  }

  static ProvisionRequest request(
      LicensorCredential credential,
      Certificate driveCertificate,
      byte[] challenge,
      String mediumId,
      String contentId,
      long plays,
      byte[] contentKey,
      RawKeyPair ephemeral) {
    byte[] sealed;
    try {
      sealed =
          Sealing.seal(
                  ephemeral,
                  driveCertificate.x25519PublicKey(),
                  KeyLabels.PROVISION,
                  ProvisionRequest.sealedKeyAad(challenge, mediumId, contentId),
                  contentKey)
              .ciphertext();
    } catch (GeneralSecurityException e) {
      throw new FlowException("the drive's X25519 key is unusable: " + e.getMessage(), e);
    }
    ProvisionRequest unsigned =
        new ProvisionRequest(
            challenge,
            mediumId,
            contentId,
            plays,
            ephemeral.publicKey(),
            sealed,
            credential.certificate().encode(),
            new byte[Certificate.SIGNATURE_LENGTH]);
    return unsigned.withSignature(credential.sign(unsigned.signedBytes()));
  }
}
