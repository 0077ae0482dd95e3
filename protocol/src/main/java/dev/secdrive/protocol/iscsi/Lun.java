package dev.secdrive.protocol.iscsi;

/**
 * The eight-byte LUN field of SAM-5 section 4.7 as iSCSI carries it (RFC 7143 section 11.2.1.6):
 * single-level LUNs only, with peripheral device addressing (method 00b, bus 0) for LUNs 0..255 and
 * flat space addressing (method 01b) for 256..16383, the choice SAM-5 and Linux's {@code
 * int_to_scsilun} make. A hierarchical or extended LUN is refused, not silently truncated.
 */
public final class Lun {

  /** The largest LUN flat space addressing carries. */
  public static final int MAXIMUM = 16383;

  private static final int PERIPHERAL_LIMIT = 256;
  private static final int METHOD_FLAT = 0x40;

  private Lun() {}

  /** The eight bytes of {@code lun} as a big-endian long. */
  public static long encode(int lun) {
    if (lun < 0 || lun > MAXIMUM) {
      throw new IllegalArgumentException("LUN out of range 0.." + MAXIMUM + ": " + lun);
    }
    long firstLevel = lun < PERIPHERAL_LIMIT ? lun : (METHOD_FLAT << 8) | lun;
    return firstLevel << 48;
  }

  /**
   * The LUN in the eight bytes {@code field}, read big-endian from bytes 8-15 of a header.
   *
   * @throws PduException for an addressing method, bus or level this codec does not take; the
   *     target answers a SCSI Command carrying one with LOGICAL UNIT NOT SUPPORTED (05/25/00)
   */
  public static int decode(long field) throws PduException {
    int offset = PduCodec.OFFSET_LUN;
    int firstLevel = (int) (field >>> 48);
    if ((field & 0xFFFF_FFFF_FFFFL) != 0) {
      throw new PduException(
          PduException.Kind.INVALID_FIELD,
          "LUN",
          offset + 2,
          "only single-level LUNs are supported; second to fourth levels are not zero");
    }
    int method = firstLevel >>> 14;
    if (method == 0 && firstLevel >>> 8 == 0) {
      return firstLevel & 0xFF;
    }
    if (method == 1) {
      return firstLevel & 0x3FFF;
    }
    throw new PduException(
        PduException.Kind.INVALID_FIELD,
        "LUN",
        offset,
        String.format(
            "LUN address 0x%04X is neither peripheral (bus 0) nor flat space addressing",
            firstLevel));
  }
}
