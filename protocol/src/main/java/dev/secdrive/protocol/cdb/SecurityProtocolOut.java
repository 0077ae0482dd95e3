package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.u16;
import static dev.secdrive.protocol.BigEndian.u32;

/**
 * SECURITY PROTOCOL OUT (SPC-4 6.31): a parameter list to the security protocol. secdrive
 * implements protocol 00h (security protocol information) and its vendor protocol F0h, whose
 * operation is the SECURITY PROTOCOL SPECIFIC field; see PROTOCOL.md "Secure layer".
 *
 * @param protocol SECURITY PROTOCOL, byte 1
 * @param specific SECURITY PROTOCOL SPECIFIC, bytes 2-3
 * @param inc512 INC_512, byte 4 bit 7: the length counts 512-byte units (secdrive refuses it)
 * @param transferLength TRANSFER LENGTH, bytes 6-9
 */
public record SecurityProtocolOut(
    int protocol, int specific, boolean inc512, long transferLength, int control) implements Cdb {

  public SecurityProtocolOut {
    checkUnsigned("protocol", protocol, 8);
    checkUnsigned("specific", specific, 16);
    checkUnsigned("transferLength", transferLength, 32);
    checkUnsigned("control", control, 8);
  }

  public SecurityProtocolOut(int protocol, int specific, long transferLength) {
    this(protocol, specific, false, transferLength, 0);
  }

  public static SecurityProtocolOut decode(byte[] cdb) throws InvalidCdbException {
    SecurityCdbs.checkReserved(cdb);
    return new SecurityProtocolOut(
        cdb[SecurityCdbs.OFFSET_PROTOCOL] & 0xFF,
        u16(cdb, SecurityCdbs.OFFSET_SPECIFIC),
        (cdb[SecurityCdbs.OFFSET_INC_512] & SecurityCdbs.INC_512) != 0,
        u32(cdb, SecurityCdbs.OFFSET_LENGTH),
        cdb[SecurityCdbs.OFFSET_CONTROL] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.SECURITY_PROTOCOL_OUT;
  }

  @Override
  public byte[] encode() {
    return SecurityCdbs.encode(opcode(), protocol, specific, inc512, transferLength, control);
  }

  @Override
  public String describe() {
    return SecurityCdbs.describe(opcode(), protocol, specific);
  }
}
