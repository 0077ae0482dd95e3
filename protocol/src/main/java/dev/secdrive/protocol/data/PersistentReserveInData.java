package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;
import static dev.secdrive.protocol.BigEndian.putU16;
import static dev.secdrive.protocol.BigEndian.putU32;
import static dev.secdrive.protocol.BigEndian.putU64;
import static dev.secdrive.protocol.BigEndian.u16;
import static dev.secdrive.protocol.BigEndian.u32;
import static dev.secdrive.protocol.BigEndian.u64;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The parameter data of PERSISTENT RESERVE IN's four service actions (SPC-4 6.15). */
public final class PersistentReserveInData {

  private static final int HEADER = 8;

  private PersistentReserveInData() {}

  /**
   * READ KEYS (SPC-4 6.15.2): the generation and every registered key.
   *
   * @param generation PRGENERATION
   * @param keys the reservation keys, one per registered I_T nexus
   */
  public record ReadKeys(long generation, List<Long> keys) {
    public ReadKeys {
      checkUnsigned("generation", generation, 32);
      keys = List.copyOf(keys);
    }

    public byte[] encode() {
      byte[] out = new byte[HEADER + 8 * keys.size()];
      putU32(out, 0, generation);
      putU32(out, 4, 8L * keys.size()); // ADDITIONAL LENGTH, whatever the allocation length
      for (int i = 0; i < keys.size(); i++) {
        putU64(out, HEADER + 8 * i, keys.get(i));
      }
      return out;
    }

    /** Decodes what arrived; a list cut by the allocation length yields the keys that came. */
    public static ReadKeys decode(byte[] in) {
      Ascii.requireLength("READ KEYS data", in, HEADER);
      long length = Math.min(u32(in, 4), in.length - HEADER);
      List<Long> keys = new ArrayList<>();
      for (int at = HEADER; at + 8 <= HEADER + length; at += 8) {
        keys.add(u64(in, at));
      }
      return new ReadKeys(u32(in, 0), keys);
    }
  }

  /**
   * READ RESERVATION (SPC-4 6.15.3).
   *
   * @param generation PRGENERATION
   * @param reserved whether a persistent reservation exists; the fields below are 0 if not
   * @param key the holder's reservation key (0 for the all-registrants types)
   * @param scope SCOPE, byte 21 bits 7-4
   * @param type TYPE, byte 21 bits 3-0
   */
  public record ReadReservation(long generation, boolean reserved, long key, int scope, int type) {
    private static final int DESCRIPTOR = 16;

    public ReadReservation {
      checkUnsigned("generation", generation, 32);
      checkUnsigned("scope", scope, 4);
      checkUnsigned("type", type, 4);
    }

    public byte[] encode() {
      byte[] out = new byte[HEADER + (reserved ? DESCRIPTOR : 0)];
      putU32(out, 0, generation);
      if (reserved) {
        putU32(out, 4, DESCRIPTOR);
        putU64(out, HEADER, key);
        out[HEADER + 13] = (byte) (scope << 4 | type);
      }
      return out;
    }

    public static ReadReservation decode(byte[] in) {
      Ascii.requireLength("READ RESERVATION data", in, HEADER);
      if (u32(in, 4) == 0) {
        return new ReadReservation(u32(in, 0), false, 0, 0, 0);
      }
      Ascii.requireLength("READ RESERVATION data", in, HEADER + DESCRIPTOR);
      int scopeType = in[HEADER + 13] & 0xFF;
      return new ReadReservation(
          u32(in, 0), true, u64(in, HEADER), scopeType >>> 4, scopeType & 0x0F);
    }
  }

  /**
   * REPORT CAPABILITIES (SPC-4 6.15.4), 8 bytes.
   *
   * @param compatibleReservationHandling CRH, byte 2 bit 4
   * @param specifyInitiatorPortsCapable SIP_C, byte 2 bit 3
   * @param allTargetPortsCapable ATP_C, byte 2 bit 2
   * @param persistThroughPowerLossCapable PTPL_C, byte 2 bit 0
   * @param typeMaskValid TMV, byte 3 bit 7
   * @param allowCommands ALLOW COMMANDS, byte 3 bits 6-4
   * @param persistThroughPowerLossActivated PTPL_A, byte 3 bit 0
   * @param typeMask PERSISTENT RESERVATION TYPE MASK, bytes 4-5
   */
  public record ReportCapabilities(
      boolean compatibleReservationHandling,
      boolean specifyInitiatorPortsCapable,
      boolean allTargetPortsCapable,
      boolean persistThroughPowerLossCapable,
      boolean typeMaskValid,
      int allowCommands,
      boolean persistThroughPowerLossActivated,
      int typeMask) {

    public static final int LENGTH = 8;
    public static final int WR_EX_AR = 0x8000;
    public static final int EX_AC_RO = 0x4000;
    public static final int WR_EX_RO = 0x2000;
    public static final int EX_AC = 0x0800;
    public static final int WR_EX = 0x0200;
    public static final int EX_AC_AR = 0x0001;

    public ReportCapabilities {
      checkUnsigned("allowCommands", allowCommands, 3);
      checkUnsigned("typeMask", typeMask, 16);
    }

    public byte[] encode() {
      byte[] out = new byte[LENGTH];
      putU16(out, 0, LENGTH);
      out[2] =
          (byte)
              ((compatibleReservationHandling ? 0x10 : 0)
                  | (specifyInitiatorPortsCapable ? 0x08 : 0)
                  | (allTargetPortsCapable ? 0x04 : 0)
                  | (persistThroughPowerLossCapable ? 0x01 : 0));
      out[3] =
          (byte)
              ((typeMaskValid ? 0x80 : 0)
                  | allowCommands << 4
                  | (persistThroughPowerLossActivated ? 0x01 : 0));
      putU16(out, 4, typeMask);
      return out;
    }

    public static ReportCapabilities decode(byte[] in) {
      Ascii.requireLength("REPORT CAPABILITIES data", in, LENGTH);
      return new ReportCapabilities(
          (in[2] & 0x10) != 0,
          (in[2] & 0x08) != 0,
          (in[2] & 0x04) != 0,
          (in[2] & 0x01) != 0,
          (in[3] & 0x80) != 0,
          (in[3] >>> 4) & 0x07,
          (in[3] & 0x01) != 0,
          u16(in, 4));
    }
  }

  /**
   * READ FULL STATUS (SPC-4 6.15.5): one descriptor per registered I_T nexus.
   *
   * @param generation PRGENERATION
   * @param registrants the descriptors
   */
  public record FullStatus(long generation, List<Registrant> registrants) {
    public FullStatus {
      checkUnsigned("generation", generation, 32);
      registrants = List.copyOf(registrants);
    }

    public byte[] encode() {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (Registrant r : registrants) {
        byte[] d = r.encode();
        body.write(d, 0, d.length);
      }
      byte[] out = new byte[HEADER + body.size()];
      putU32(out, 0, generation);
      putU32(out, 4, body.size());
      System.arraycopy(body.toByteArray(), 0, out, HEADER, body.size());
      return out;
    }

    public static FullStatus decode(byte[] in) {
      Ascii.requireLength("READ FULL STATUS data", in, HEADER);
      long end = HEADER + u32(in, 4);
      if (end > in.length) {
        throw new IllegalArgumentException(
            "READ FULL STATUS data: additional length " + (end - HEADER) + " of " + in.length);
      }
      List<Registrant> out = new ArrayList<>();
      for (int at = HEADER; at < end; ) {
        out.add(Registrant.decode(in, at));
        at += Registrant.FIXED + (int) u32(in, at + 20);
      }
      return new FullStatus(u32(in, 0), out);
    }
  }

  /**
   * One full status descriptor, with an iSCSI TransportID (SPC-4 7.6.4.6; protocol identifier 5h),
   * format 01b (an initiator port name with its ISID) when the name has one, else format 00b.
   *
   * @param key the registered reservation key
   * @param allTargetPorts ALL_TG_PT, byte 12 bit 1
   * @param holder R_HOLDER, byte 12 bit 0
   * @param scope SCOPE, byte 13 bits 7-4 (when a holder)
   * @param type TYPE, byte 13 bits 3-0 (when a holder)
   * @param relativeTargetPort RELATIVE TARGET PORT IDENTIFIER, bytes 18-19
   * @param initiator the initiator port's name, as the TransportID's ISCSI NAME field holds it
   */
  public record Registrant(
      long key,
      boolean allTargetPorts,
      boolean holder,
      int scope,
      int type,
      int relativeTargetPort,
      String initiator) {

    static final int FIXED = 24;
    private static final int ISCSI = 0x05;
    private static final int PORT_FORMAT = 0x40;

    public Registrant {
      checkUnsigned("scope", scope, 4);
      checkUnsigned("type", type, 4);
      checkUnsigned("relativeTargetPort", relativeTargetPort, 16);
    }

    /** TransportID length: 4 bytes, then the null-terminated name padded to 4, at least 24. */
    int transportIdLength() {
      int name = initiator.getBytes(StandardCharsets.UTF_8).length + 1;
      return Math.max(24, 4 + (name + 3) / 4 * 4);
    }

    byte[] encode() {
      byte[] name = initiator.getBytes(StandardCharsets.UTF_8);
      int length = transportIdLength();
      byte[] out = new byte[FIXED + length];
      putU64(out, 0, key);
      out[12] = (byte) ((allTargetPorts ? 0x02 : 0) | (holder ? 0x01 : 0));
      out[13] = (byte) (scope << 4 | type);
      putU16(out, 18, relativeTargetPort);
      putU32(out, 20, length);
      out[FIXED] = (byte) ((initiator.contains(",i,0x") ? PORT_FORMAT : 0) | ISCSI);
      putU16(out, FIXED + 2, length - 4);
      System.arraycopy(name, 0, out, FIXED + 4, name.length);
      return out;
    }

    static Registrant decode(byte[] in, int at) {
      if (at + FIXED + 4 > in.length) {
        throw new IllegalArgumentException("READ FULL STATUS data: descriptor cut at " + at);
      }
      long length = u32(in, at + 20);
      if (length < 4 || at + FIXED + length > in.length) {
        throw new IllegalArgumentException(
            "READ FULL STATUS data: TransportID of " + length + " bytes at " + at);
      }
      int start = at + FIXED + 4;
      int end = start;
      while (end < at + FIXED + length && in[end] != 0) {
        end++;
      }
      return new Registrant(
          u64(in, at),
          (in[at + 12] & 0x02) != 0,
          (in[at + 12] & 0x01) != 0,
          (in[at + 13] & 0xFF) >>> 4,
          in[at + 13] & 0x0F,
          u16(in, at + 18),
          new String(in, start, end - start, StandardCharsets.UTF_8));
    }
  }
}
