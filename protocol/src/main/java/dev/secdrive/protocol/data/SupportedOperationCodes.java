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
   * A command timeouts descriptor (SPC-4 6.35.4), returned when the CDB sets RCTD: the nominal
   * processing time and the timeout the device server recommends, in seconds (0: not specified).
   */
  public record CommandTimeouts(long nominalSeconds, long recommendedSeconds) {

    public static final int LENGTH = 12;
    private static final int DESCRIPTOR_LENGTH = 0x0A;

    public CommandTimeouts {
      if (nominalSeconds < 0 || nominalSeconds > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("nominalSeconds out of range: " + nominalSeconds);
      }
      if (recommendedSeconds < 0 || recommendedSeconds > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException(
            "recommendedSeconds out of range: " + recommendedSeconds);
      }
    }

    void encode(byte[] out, int offset) {
      putU16(out, offset, DESCRIPTOR_LENGTH);
      putU32(out, offset + 4, nominalSeconds);
      putU32(out, offset + 8, recommendedSeconds);
    }

    static CommandTimeouts decode(byte[] in, int offset) {
      return new CommandTimeouts(u32(in, offset + 4), u32(in, offset + 8));
    }
  }

  /**
   * One command descriptor of the all-commands format (SPC-4 table 246).
   *
   * @param serviceAction the service action, meaningful when {@code serviceActionValid}
   * @param timeouts the command timeouts descriptor that follows (CTDP set), or null
   */
  public record CommandDescriptor(
      int operationCode,
      int serviceAction,
      boolean serviceActionValid,
      int cdbLength,
      CommandTimeouts timeouts) {

    public static final int LENGTH = 8;
    private static final int SERVACTV = 0x01;
    private static final int CTDP = 0x02;

    /** A descriptor without a command timeouts descriptor (RCTD clear). */
    public CommandDescriptor(
        int operationCode, int serviceAction, boolean serviceActionValid, int cdbLength) {
      this(operationCode, serviceAction, serviceActionValid, cdbLength, null);
    }

    int length() {
      return LENGTH + (timeouts == null ? 0 : CommandTimeouts.LENGTH);
    }

    void encode(byte[] out, int offset) {
      out[offset] = (byte) operationCode;
      putU16(out, offset + 2, serviceAction);
      out[offset + 5] =
          (byte) ((serviceActionValid ? SERVACTV : 0) | (timeouts != null ? CTDP : 0));
      putU16(out, offset + 6, cdbLength);
      if (timeouts != null) {
        timeouts.encode(out, offset + LENGTH);
      }
    }

    static CommandDescriptor decode(byte[] in, int offset) {
      boolean ctdp =
          (in[offset + 5] & CTDP) != 0 && offset + LENGTH + CommandTimeouts.LENGTH <= in.length;
      return new CommandDescriptor(
          in[offset] & 0xFF,
          u16(in, offset + 2),
          (in[offset + 5] & SERVACTV) != 0,
          u16(in, offset + 6),
          ctdp ? CommandTimeouts.decode(in, offset + LENGTH) : null);
    }
  }

  /** The all-commands parameter data: a four-byte length, then descriptors. */
  public record AllCommands(List<CommandDescriptor> commands) {

    public AllCommands {
      commands = List.copyOf(commands);
    }

    public byte[] encode() {
      int length = commands.stream().mapToInt(CommandDescriptor::length).sum();
      byte[] out = new byte[4 + length];
      putU32(out, 0, length);
      int offset = 4;
      for (CommandDescriptor command : commands) {
        command.encode(out, offset);
        offset += command.length();
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
   * @param timeouts the command timeouts descriptor after the bitmap (CTDP set), or null
   */
  public record OneCommand(int support, byte[] usageData, CommandTimeouts timeouts) {

    public static final int NOT_SUPPORTED = 0b001;
    public static final int SUPPORTED = 0b011;
    private static final int CTDP = 0x80;

    public OneCommand {
      usageData = usageData.clone();
    }

    /** The data without a command timeouts descriptor (RCTD clear). */
    public OneCommand(int support, byte[] usageData) {
      this(support, usageData, null);
    }

    @Override
    public byte[] usageData() {
      return usageData.clone();
    }

    public byte[] encode() {
      byte[] out = new byte[4 + usageData.length + (timeouts == null ? 0 : CommandTimeouts.LENGTH)];
      out[1] = (byte) (support | (timeouts != null ? CTDP : 0));
      putU16(out, 2, usageData.length);
      System.arraycopy(usageData, 0, out, 4, usageData.length);
      if (timeouts != null) {
        timeouts.encode(out, 4 + usageData.length);
      }
      return out;
    }

    public static OneCommand decode(byte[] in) {
      Ascii.requireLength("one-command parameter data", in, 4);
      int size = Math.min(u16(in, 2), in.length - 4);
      boolean ctdp = (in[1] & CTDP) != 0 && 4 + size + CommandTimeouts.LENGTH <= in.length;
      return new OneCommand(
          in[1] & 0x07,
          Arrays.copyOfRange(in, 4, 4 + size),
          ctdp ? CommandTimeouts.decode(in, 4 + size) : null);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof OneCommand o
          && o.support == support
          && Arrays.equals(o.usageData, usageData)
          && java.util.Objects.equals(o.timeouts, timeouts);
    }

    @Override
    public int hashCode() {
      return (support * 31 + Arrays.hashCode(usageData)) * 31
          + java.util.Objects.hashCode(timeouts);
    }

    @Override
    public String toString() {
      return "OneCommand[support="
          + support
          + ", usageData="
          + Arrays.toString(usageData)
          + ", timeouts="
          + timeouts
          + "]";
    }
  }
}
