package dev.secdrive.protocol.security;

import java.nio.charset.StandardCharsets;

/**
 * The HKDF info strings of PROTOCOL.md "Keys": version byte 01h ‖ label ‖ 00h ‖ context, so that no
 * two keys of secdrive can ever be derived from the same input.
 */
public final class KeyLabels {

  public static final int VERSION = 1;

  public static final String MEDIUM = "medium";
  public static final String SECURE_AREA = "secure-area";
  public static final String CONTENT_KEY = "content-key";
  public static final String BACKUP_MEDIUM = "backup-medium";
  public static final String BACKUP_DEVICE = "backup-device";
  public static final String BACKUP_SEAL = "backup-seal";
  public static final String PROVISION = "provision";
  public static final String TITLE_CHECK = "title-check";
  public static final String TITLE_DIGEST = "title-digest";
  public static final String MASTER_CONVERSION = "master-conversion";
  public static final String MEDIUM_CONVERSION = "medium-conversion";
  public static final String CONVERSION = "conversion";
  public static final String COPY = "copy";

  /** The key tree (seed 002): the seed of node i of the Subset Difference tree. */
  public static final String SD_SEED = "sd-seed";

  /** The key tree: the key of the EKB's "all" entry, used while no leaf is revoked. */
  public static final String SD_ALL = "sd-all";

  /** The key tree: the root key KR of an EKB version. */
  public static final String SD_ROOT = "sd-root";

  /** The sealed secrets of a client's service data (seed 002, SDSV). */
  public static final String SERVICE_DATA = "service-data";

  /** The MAC key of a content package header's check, from its content key Kc (SDCP). */
  public static final String CONTENT_CHECK = "content-check";

  /** The MAC key of the verification table's track records (seed 004), from the device secret. */
  public static final String TRACK_TABLE = "track-table";

  /** The designation of a track record's sectors from its random value R (seed 004, claim 4). */
  public static final String TRACK_SECTORS = "track-sectors";

  /** The drive's state at rest (never on the wire; listed so that no label is used twice). */
  public static final String DRIVE_STATE = "drive-state";

  /** The MAC key of the drive state's anchor (never on the wire). */
  public static final String DRIVE_ANCHOR = "drive-anchor";

  private KeyLabels() {}

  public static byte[] info(String label, byte[] context) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[2 + l.length + context.length];
    out[0] = VERSION;
    System.arraycopy(l, 0, out, 1, l.length);
    out[1 + l.length] = 0;
    System.arraycopy(context, 0, out, 2 + l.length, context.length);
    return out;
  }

  public static byte[] info(String label, String context) {
    return info(label, context.getBytes(StandardCharsets.US_ASCII));
  }
}
