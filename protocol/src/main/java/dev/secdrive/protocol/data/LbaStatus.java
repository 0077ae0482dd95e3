package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.putU64;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

import java.util.ArrayList;
import java.util.List;

/**
 * GET LBA STATUS parameter data (SBC-3 5.5.2): an 8-byte header and 16-byte LBA status descriptors.
 *
 * @param descriptors the extents, in LBA order
 */
public record LbaStatus(List<Descriptor> descriptors) {

  private static final int HEADER = 8;
  private static final int DESCRIPTOR = 16;

  /** PROVISIONING STATUS 0h: the extent is mapped (SBC-3 table 'LBA status descriptor'). */
  public static final int MAPPED = 0;

  /**
   * One extent.
   *
   * @param lba the first LBA of the extent
   * @param blocks its length in logical blocks
   * @param provisioningStatus byte 12 bits 3-0
   */
  public record Descriptor(long lba, long blocks, int provisioningStatus) {
    public Descriptor {
      checkUnsigned("blocks", blocks, 32);
      checkUnsigned("provisioningStatus", provisioningStatus, 4);
    }
  }

  public LbaStatus {
    descriptors = List.copyOf(descriptors);
  }

  public byte[] encode() {
    byte[] out = new byte[HEADER + DESCRIPTOR * descriptors.size()];
    putU32(out, 0, out.length - 4); // PARAMETER DATA LENGTH: the bytes after itself
    int at = HEADER;
    for (Descriptor d : descriptors) {
      putU64(out, at, d.lba());
      putU32(out, at + 8, d.blocks());
      out[at + 12] = (byte) d.provisioningStatus();
      at += DESCRIPTOR;
    }
    return out;
  }

  public static LbaStatus decode(byte[] in) {
    Ascii.requireLength("GET LBA STATUS data", in, HEADER);
    long length = u32(in, 0) + 4;
    if (length > in.length || (length - HEADER) % DESCRIPTOR != 0) {
      throw new IllegalArgumentException(
          "GET LBA STATUS data: parameter data length " + (length - 4) + " of " + in.length);
    }
    List<Descriptor> out = new ArrayList<>();
    for (int at = HEADER; at < length; at += DESCRIPTOR) {
      out.add(new Descriptor(u64(in, at), u32(in, at + 8), in[at + 12] & 0x0F));
    }
    return new LbaStatus(out);
  }
}
