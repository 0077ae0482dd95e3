package dev.secdrive.protocol.cd;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * READ SUB-CHANNEL data format 01h, CD current position (MMC-6 6.32.2.3): 16 bytes. After the
 * header: the format code 01h, ADR (bits 7-4) and CONTROL (bits 3-0), the track and index number,
 * the absolute CD address and the track-relative CD address, each 4 bytes, LBA or 00h M S F as the
 * CDB's MSF bit says (a relative MSF counts from 00:00:00 at the track's start).
 *
 * @param audioStatus the header's audio status
 * @param adr the Q mode of the position, 1
 * @param control the current track's control nibble
 * @param absoluteAddress field as sent; see {@link TrackDescriptor#address(long, boolean)}
 * @param relativeAddress field as sent: the offset into the track, LBA count or MSF duration
 */
public record SubChannelPosition(
    int audioStatus,
    int adr,
    int control,
    int trackNumber,
    int indexNumber,
    int absoluteAddress,
    int relativeAddress) {

  public static final int LENGTH = 16;

  public SubChannelPosition {
    checkUnsigned("audioStatus", audioStatus, 8);
    checkUnsigned("adr", adr, 4);
    checkUnsigned("control", control, 4);
    checkUnsigned("trackNumber", trackNumber, 8);
    checkUnsigned("indexNumber", indexNumber, 8);
  }

  /** The relative address field of {@code offset} sectors into the track. */
  public static int relativeAddress(long offset, boolean msf) {
    return msf ? Msf.ofFrames(offset).toAddressField() : (int) offset;
  }

  /** The absolute address as an LBA. */
  public long absoluteLba(boolean msf) {
    return msf ? Msf.fromAddressField(absoluteAddress).toLba() : absoluteAddress;
  }

  /** The relative address as sectors into the track. */
  public long relativeSectors(boolean msf) {
    return msf ? Msf.fromAddressField(relativeAddress).frames() : relativeAddress;
  }

  public byte[] encode() {
    byte[] out = new byte[LENGTH];
    out[4] = (byte) SubChannelHeader.FORMAT_CURRENT_POSITION;
    out[5] = (byte) (adr << 4 | control);
    out[6] = (byte) trackNumber;
    out[7] = (byte) indexNumber;
    putU32(out, 8, absoluteAddress & 0xFFFF_FFFFL);
    putU32(out, 12, relativeAddress & 0xFFFF_FFFFL);
    return SubChannelHeader.write(out, audioStatus);
  }

  public static SubChannelPosition decode(byte[] in) {
    SubChannelHeader.check(
        "current position", in, LENGTH, SubChannelHeader.FORMAT_CURRENT_POSITION);
    return new SubChannelPosition(
        in[1] & 0xFF,
        (in[5] & 0xFF) >>> 4,
        in[5] & 0x0F,
        in[6] & 0xFF,
        in[7] & 0xFF,
        (int) u32(in, 8),
        (int) u32(in, 12));
  }
}
