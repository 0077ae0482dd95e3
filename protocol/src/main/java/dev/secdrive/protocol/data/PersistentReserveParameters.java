package dev.secdrive.protocol.data;

import static dev.secdrive.protocol.BigEndian.putU64;
import static dev.secdrive.protocol.BigEndian.u64;

/**
 * The basic PERSISTENT RESERVE OUT parameter list (SPC-4 6.16.3), 24 bytes.
 *
 * @param reservationKey bytes 0-7: the key the I_T nexus is registered with, or 0
 * @param serviceActionReservationKey bytes 8-15: the new key (REGISTER) or the key to preempt
 * @param specifyInitiatorPorts SPEC_I_PT, byte 20 bit 3
 * @param allTargetPorts ALL_TG_PT, byte 20 bit 2
 * @param activatePersistThroughPowerLoss APTPL, byte 20 bit 0
 */
public record PersistentReserveParameters(
    long reservationKey,
    long serviceActionReservationKey,
    boolean specifyInitiatorPorts,
    boolean allTargetPorts,
    boolean activatePersistThroughPowerLoss) {

  public static final int LENGTH = 24;

  /** Byte 20, where SPEC_I_PT, ALL_TG_PT and APTPL are. */
  public static final int FLAGS_OFFSET = 20;

  static final int SPEC_I_PT = 0x08;
  static final int ALL_TG_PT = 0x04;
  static final int APTPL = 0x01;

  public PersistentReserveParameters(long reservationKey, long serviceActionReservationKey) {
    this(reservationKey, serviceActionReservationKey, false, false, false);
  }

  public byte[] encode() {
    byte[] out = new byte[LENGTH];
    putU64(out, 0, reservationKey);
    putU64(out, 8, serviceActionReservationKey);
    out[FLAGS_OFFSET] =
        (byte)
            ((specifyInitiatorPorts ? SPEC_I_PT : 0)
                | (allTargetPorts ? ALL_TG_PT : 0)
                | (activatePersistThroughPowerLoss ? APTPL : 0));
    return out;
  }

  public static PersistentReserveParameters decode(byte[] in) {
    Ascii.requireLength("PERSISTENT RESERVE OUT parameter list", in, LENGTH);
    int flags = in[FLAGS_OFFSET];
    return new PersistentReserveParameters(
        u64(in, 0),
        u64(in, 8),
        (flags & SPEC_I_PT) != 0,
        (flags & ALL_TG_PT) != 0,
        (flags & APTPL) != 0);
  }
}
