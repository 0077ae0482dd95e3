package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.u16;
import static dev.secdrive.protocol.BigEndian.u32;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** REPORT SUPPORTED OPERATION CODES parameter data (SPC-4 6.35.2 and 6.35.3). */
public final class SupportedOperationCodes {

  private SupportedOperationCodes() {}

  /**
   * One command descriptor of the all-commands format (SPC-4 table 246).
   *
   * @param serviceAction the service action, meaningful when {@code serviceActionValid}
   */
  public record CommandDescriptor(
      int operationCode, int serviceAction, boolean serviceActionValid, int cdbLength) {

    public static final int LENGTH = 8;
    private static final int SERVACTV = 0x01;

    void encode(byte[] out, int offset) {
      out[offset] = (byte) operationCode;
      putU16(out, offset + 2, serviceAction);
      out[offset + 5] = (byte) (serviceActionValid ? SERVACTV : 0);
      putU16(out, offset + 6, cdbLength);
    }

    static CommandDescriptor decode(byte[] in, int offset) {
      return new CommandDescriptor(
          in[offset] & 0xFF,
          u16(in, offset + 2),
          (in[offset + 5] & SERVACTV) != 0,
          u16(in, offset + 6));
    }
  }

  /** The all-commands parameter data: a four-byte length, then descriptors. */
  public record AllCommands(List<CommandDescriptor> commands) {

    public AllCommands {
      commands = List.copyOf(commands);
    }

    public byte[] encode() {
      byte[] out = new byte[4 + CommandDescriptor.LENGTH * commands.size()];
      putU32(out, 0, (long) CommandDescriptor.LENGTH * commands.size());
      for (int i = 0; i < commands.size(); i++) {
        commands.get(i).encode(out, 4 + CommandDescriptor.LENGTH * i);
      }
      return out;
    }

    public static AllCommands decode(byte[] in) {
      Ascii.requireLength("supported operation codes", in, 4);
      long length = Math.min(u32(in, 0), in.length - 4);
      List<CommandDescriptor> commands = new ArrayList<>();
      for (int offset = 4; offset + CommandDescriptor.LENGTH <= 4 + length; ) {
        CommandDescriptor d = CommandDescriptor.decode(in, offset);
        commands.add(d);
        // CTDP (byte 5 bit 1) appends a 12-byte command timeouts descriptor.
        offset += CommandDescriptor.LENGTH + ((in[offset + 5] & 0x02) != 0 ? 12 : 0);
      }
      return new AllCommands(commands);
    }
  }

  /**
   * The one-command parameter data (SPC-4 table 248).
   *
   * @param support SUPPORT, byte 1 bits 2-0: 001b not supported, 011b supported as the standard
   *     says
   * @param usageData the CDB usage bitmap; empty when not supported
   */
  public record OneCommand(int support, byte[] usageData) {

    public static final int NOT_SUPPORTED = 0b001;
    public static final int SUPPORTED = 0b011;

    public OneCommand {
      usageData = usageData.clone();
    }

    @Override
    public byte[] usageData() {
      return usageData.clone();
    }

    public byte[] encode() {
      byte[] out = new byte[4 + usageData.length];
      out[1] = (byte) support;
      putU16(out, 2, usageData.length);
      System.arraycopy(usageData, 0, out, 4, usageData.length);
      return out;
    }

    public static OneCommand decode(byte[] in) {
      Ascii.requireLength("one-command parameter data", in, 4);
      int size = Math.min(u16(in, 2), in.length - 4);
      return new OneCommand(in[1] & 0x07, Arrays.copyOfRange(in, 4, 4 + size));
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof OneCommand o
          && o.support == support
          && Arrays.equals(o.usageData, usageData);
    }

    @Override
    public int hashCode() {
      return support * 31 + Arrays.hashCode(usageData);
    }

    @Override
    public String toString() {
      return "OneCommand[support=" + support + ", usageData=" + Arrays.toString(usageData) + "]";
    }
  }
}
