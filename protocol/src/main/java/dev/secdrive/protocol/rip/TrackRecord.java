package dev.secdrive.protocol.rip;

import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Hkdf;
import dev.secdrive.kit.crypto.Hmac;
import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A track record of the verification table (seed 004 FIG. 3; claim 4: the identifier, the random
 * value and the sector information that value designates, associated as table information), made by
 * the drive at REGISTER TRACK and checked by it at VERIFY TRACK:
 *
 * <pre>
 * "SDTR" | u8 version 1 | str8 medium ID | str8 device ID | u8 track number | str8 ISRC (0 or 12)
 * | u32 track start LBA | u32 track length in sectors | 32 bytes random value R
 * | u8 copy control | u64 content ID | u8 k | k x u32 designated LBA (ascending)
 * | 32 bytes SHA-256 of the designated sectors | 32 bytes SHA-256 of the track's sectors
 * | 32 bytes HMAC-SHA256(table key, every byte before it)
 * </pre>
 *
 * The table key is the drive's own (KDF(device secret, "track-table", device ID), PROTOCOL.md
 * "Keys"): a host holds records but can make none. No key lives here; the drive passes its key to
 * {@link #sign} and {@link #verifies}.
 */
public record TrackRecord(
    String mediumId,
    String deviceId,
    int track,
    Optional<String> isrc,
    long startLba,
    long sectors,
    byte[] random,
    int copyControl,
    long contentId,
    List<Long> designated,
    byte[] designatedDigest,
    byte[] trackDigest,
    byte[] mac) {

  public static final int VERSION = 1;
  static final String MAGIC = "SDTR";

  public static final int RANDOM_LENGTH = 32;
  public static final int DIGEST_LENGTH = 32;
  public static final int MAC_LENGTH = 32;

  /** The most sectors one record designates. */
  public static final int MAX_DESIGNATED = 64;

  /** The highest track number of a CD (Red Book). */
  public static final int MAX_TRACK = 99;

  /** Copy control codes, as the watermark's payload has them. */
  public static final int COPY_FREE = 0;

  public static final int COPY_ONCE = 1;
  public static final int NO_MORE_COPIES = 2;

  /** Content IDs are 48 bits. */
  public static final long MAX_CONTENT_ID = (1L << 48) - 1;

  /** ISO 3901: country (2 letters), registrant (3 alphanumerics), year (2 digits), 5 digits. */
  public static final Pattern ISRC = Pattern.compile("[A-Z]{2}[A-Z0-9]{3}[0-9]{7}");

  /** The HKDF label of the designation of sectors from R. */
  public static final String DESIGNATION_LABEL = KeyLabels.TRACK_SECTORS;

  /** Length of the longest record: IDs of 255 bytes, an ISRC, 64 designated sectors. */
  public static final int MAXIMUM_LENGTH =
      5 + 256 + 256 + 1 + 13 + 8 + RANDOM_LENGTH + 9 + 1 + 4 * MAX_DESIGNATED + 3 * DIGEST_LENGTH;

  public TrackRecord {
    Fields.checkId("medium ID", mediumId, 255);
    Fields.checkId("device ID", deviceId, 255);
    checkTrack(track);
    isrc.ifPresent(TrackRecord::checkIsrc);
    if (startLba < 0 || startLba > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("track start LBA outside 0..2^32-1: " + startLba);
    }
    if (sectors < 1 || sectors > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("track length outside 1..2^32-1 sectors: " + sectors);
    }
    random = Fields.checkLength("random value", random, RANDOM_LENGTH).clone();
    checkCopyControl(copyControl);
    checkContentId(contentId);
    designated = List.copyOf(designated);
    if (designated.isEmpty() || designated.size() > MAX_DESIGNATED) {
      throw new IllegalArgumentException(
          "designated sectors: " + designated.size() + ", not 1.." + MAX_DESIGNATED);
    }
    designatedDigest =
        Fields.checkLength("designated digest", designatedDigest, DIGEST_LENGTH).clone();
    trackDigest = Fields.checkLength("track digest", trackDigest, DIGEST_LENGTH).clone();
    mac = Fields.checkLength("MAC", mac, MAC_LENGTH).clone();
  }

  static void checkTrack(int track) {
    if (track < 1 || track > MAX_TRACK) {
      throw new IllegalArgumentException("track number " + track + " outside 1.." + MAX_TRACK);
    }
  }

  static void checkCopyControl(int copyControl) {
    if (copyControl < COPY_FREE || copyControl > NO_MORE_COPIES) {
      throw new IllegalArgumentException("copy control " + copyControl + " is not 0, 1 or 2");
    }
  }

  static void checkContentId(long contentId) {
    if (contentId < 0 || contentId > MAX_CONTENT_ID) {
      throw new IllegalArgumentException("content ID " + contentId + " outside 0..2^48-1");
    }
  }

  /** An ISRC as the record carries it: 12 characters, no hyphens (ISO 3901). */
  public static String checkIsrc(String isrc) {
    if (isrc == null || !ISRC.matcher(isrc).matches()) {
      throw new IllegalArgumentException(
          "ISRC '" + isrc + "' is not 12 characters CC XXX YY NNNNN (ISO 3901)");
    }
    return isrc;
  }

  /** A record as the drive builds it, before its MAC: the MAC is zero until {@link #sign}. */
  public static TrackRecord unsigned(
      String mediumId,
      String deviceId,
      int track,
      Optional<String> isrc,
      long startLba,
      long sectors,
      byte[] random,
      int copyControl,
      long contentId,
      List<Long> designated,
      byte[] designatedDigest,
      byte[] trackDigest) {
    return new TrackRecord(
        mediumId,
        deviceId,
        track,
        isrc,
        startLba,
        sectors,
        random,
        copyControl,
        contentId,
        designated,
        designatedDigest,
        trackDigest,
        new byte[MAC_LENGTH]);
  }

  /** This record with its MAC under {@code tableKey}. */
  public TrackRecord sign(byte[] tableKey) {
    return new TrackRecord(
        mediumId,
        deviceId,
        track,
        isrc,
        startLba,
        sectors,
        random,
        copyControl,
        contentId,
        designated,
        designatedDigest,
        trackDigest,
        Hmac.sha256(tableKey, body()));
  }

  /**
   * Whether the MAC is the one {@code tableKey} makes over every byte before it (constant time).
   */
  public boolean verifies(byte[] tableKey) {
    return Bytes.constantTimeEquals(Hmac.sha256(tableKey, body()), mac);
  }

  @Override
  public byte[] random() {
    return random.clone();
  }

  @Override
  public byte[] designatedDigest() {
    return designatedDigest.clone();
  }

  @Override
  public byte[] trackDigest() {
    return trackDigest.clone();
  }

  @Override
  public byte[] mac() {
    return mac.clone();
  }

  /** Every byte before the MAC. */
  public byte[] body() {
    Fields.Writer w =
        new Fields.Writer()
            .raw(MAGIC.getBytes(StandardCharsets.US_ASCII))
            .u8(VERSION)
            .str8(mediumId)
            .str8(deviceId)
            .u8(track)
            .str8(isrc.orElse(""))
            .u32(startLba)
            .u32(sectors)
            .raw(random)
            .u8(copyControl)
            .u64(contentId)
            .u8(designated.size());
    for (long lba : designated) {
      w.u32(lba);
    }
    return w.raw(designatedDigest).raw(trackDigest).toByteArray();
  }

  public byte[] encode() {
    return Bytes.concat(body(), mac);
  }

  public static TrackRecord decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "track record");
    r.magic(MAGIC);
    r.version(VERSION);
    String mediumId = r.id("medium ID");
    String deviceId = r.id("device ID");
    int trackAt = r.position();
    int track = r.u8("track number");
    if (track < 1 || track > MAX_TRACK) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "track record: track number " + track + " outside 1..99", trackAt);
    }
    int isrcAt = r.position();
    int isrcLength = r.u8("ISRC length");
    String isrcText = new String(r.raw("ISRC", isrcLength), StandardCharsets.US_ASCII);
    if (isrcLength != 0 && !ISRC.matcher(isrcText).matches()) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "track record: the ISRC is not 12 characters of ISO 3901", isrcAt);
    }
    long start = r.u32("track start LBA");
    int sectorsAt = r.position();
    long sectors = r.u32("track length");
    if (sectors == 0) {
      throw new ParameterException(Kind.INVALID_VALUE, "track record: an empty track", sectorsAt);
    }
    byte[] random = r.raw("random value", RANDOM_LENGTH);
    int copyAt = r.position();
    int copyControl = r.u8("copy control");
    if (copyControl > NO_MORE_COPIES) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "track record: copy control " + copyControl, copyAt);
    }
    int contentAt = r.position();
    long contentId = r.u64("content ID");
    if (contentId < 0 || contentId > MAX_CONTENT_ID) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "track record: content ID beyond 2^48-1", contentAt);
    }
    int countAt = r.position();
    int count = r.u8("designated sector count");
    if (count < 1 || count > MAX_DESIGNATED) {
      throw new ParameterException(
          Kind.INVALID_VALUE,
          "track record: " + count + " designated sectors, not 1.." + MAX_DESIGNATED,
          countAt);
    }
    List<Long> designated = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      designated.add(r.u32("designated LBA"));
    }
    byte[] designatedDigest = r.raw("designated digest", DIGEST_LENGTH);
    byte[] trackDigest = r.raw("track digest", DIGEST_LENGTH);
    byte[] mac = r.raw("MAC", MAC_LENGTH);
    r.end();
    return new TrackRecord(
        mediumId,
        deviceId,
        track,
        isrcLength == 0 ? Optional.empty() : Optional.of(isrcText),
        start,
        sectors,
        random,
        copyControl,
        contentId,
        designated,
        designatedDigest,
        trackDigest,
        mac);
  }

  /**
   * The sectors R designates in a track of {@code sectors} sectors at {@code startLba} (claim 4;
   * PROTOCOL.md "Verification table"): {@code count} distinct LBAs inside the track, ascending.
   * HKDF-SHA256 with an empty salt, IKM = R and info = 01h ‖ "track-sectors" ‖ 00h ‖ u32 start ‖
   * u32 length gives 8·count bytes, draw j being the u64 at bytes 8j..8j+7; Floyd's sampling
   * without replacement picks the offsets: for j = 0..count-1, n = length - count + j, t = draw_j
   * mod (n + 1) (unsigned); offset t unless already picked, else n.
   *
   * @throws IllegalArgumentException if the track has fewer than {@code count} sectors
   */
  public static List<Long> designate(byte[] random, long startLba, long sectors, int count) {
    Fields.checkLength("random value", random, RANDOM_LENGTH);
    if (count < 1 || count > MAX_DESIGNATED) {
      throw new IllegalArgumentException("count " + count + " outside 1.." + MAX_DESIGNATED);
    }
    if (sectors < count) {
      throw new IllegalArgumentException(
          "a track of " + sectors + " sectors has no " + count + " distinct sectors");
    }
    byte[] context = new Fields.Writer().u32(startLba).u32(sectors).toByteArray();
    byte[] stream =
        Hkdf.sha256(new byte[0], random, KeyLabels.info(DESIGNATION_LABEL, context), 8 * count);
    TreeSet<Long> picked = new TreeSet<>();
    for (int j = 0; j < count; j++) {
      long n = sectors - count + j;
      long draw = dev.secdrive.protocol.BigEndian.u64(stream, 8 * j);
      long t = Long.remainderUnsigned(draw, n + 1);
      picked.add(picked.contains(t) ? n : t);
    }
    List<Long> out = new ArrayList<>(count);
    for (long offset : picked) {
      out.add(startLba + offset);
    }
    return List.copyOf(out);
  }

  /** The designation of this record's R, recomputed: what VERIFY TRACK compares (claim 4). */
  public List<Long> designatedAgain() {
    return designate(random, startLba, sectors, designated.size());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrackRecord t && Arrays.equals(encode(), t.encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "TrackRecord[medium "
        + mediumId
        + ", drive "
        + deviceId
        + ", track "
        + track
        + isrc.map(i -> " (" + i + ")").orElse("")
        + ", R "
        + HexFormat.of().formatHex(random, 0, 4)
        + "…, "
        + designated.size()
        + " sectors]";
  }
}
