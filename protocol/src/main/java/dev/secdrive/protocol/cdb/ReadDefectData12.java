package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * READ DEFECT DATA(12) (SBC-3 5.19).
 *
 * @param requestPlist REQ_PLIST, byte 1 bit 4
 * @param requestGlist REQ_GLIST, byte 1 bit 3
 * @param format DEFECT LIST FORMAT, byte 1 bits 2-0
 * @param addressDescriptorIndex bytes 2-5: the first defect descriptor to return
 * @param allocationLength bytes 6-9
 */
public record ReadDefectData12(
    boolean requestPlist,
    boolean requestGlist,
    int format,
    long addressDescriptorIndex,
    long allocationLength,
    int control)
    implements Cdb {

  public ReadDefectData12 {
    checkUnsigned("format", format, 3);
    checkUnsigned("addressDescriptorIndex", addressDescriptorIndex, 32);
    checkUnsigned("allocationLength", allocationLength, 32);
    checkUnsigned("control", control, 8);
  }

  public static ReadDefectData12 decode(byte[] cdb) {
    return new ReadDefectData12(
        (cdb[1] & ReadDefectData10.PLIST) != 0,
        (cdb[1] & ReadDefectData10.GLIST) != 0,
        cdb[1] & ReadDefectData10.FORMAT_MASK,
        u32(cdb, 2),
        u32(cdb, 6),
        cdb[11] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.READ_DEFECT_DATA_12;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[12];
    out[0] = (byte) opcode().code();
    out[1] =
        (byte)
            ((requestPlist ? ReadDefectData10.PLIST : 0)
                | (requestGlist ? ReadDefectData10.GLIST : 0)
                | format);
    putU32(out, 2, addressDescriptorIndex);
    putU32(out, 6, allocationLength);
    out[11] = (byte) control;
    return out;
  }
}
