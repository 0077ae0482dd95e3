package dev.secdrive.protocol.cdb;

import static dev.secdrive.protocol.BigEndian.checkUnsigned;

/**
 * START STOP UNIT (SBC-3 5.25).
 *
 * @param immediate IMMED: return status before the operation completes
 * @param powerConditionModifier byte 3 bits 3-0
 * @param powerCondition byte 4 bits 7-4; 0 means START and LOEJ apply
 * @param noFlush NO_FLUSH
 * @param loadEject LOEJ: load (with START) or eject (without) the medium
 * @param start START
 */
public record StartStopUnit(
    boolean immediate,
    int powerConditionModifier,
    int powerCondition,
    boolean noFlush,
    boolean loadEject,
    boolean start,
    int control)
    implements Cdb {

  private static final int IMMED = 0x01;
  private static final int NO_FLUSH = 0x04;
  private static final int LOEJ = 0x02;
  private static final int START = 0x01;

  public StartStopUnit {
    checkUnsigned("powerConditionModifier", powerConditionModifier, 4);
    checkUnsigned("powerCondition", powerCondition, 4);
    checkUnsigned("control", control, 8);
  }

  public static StartStopUnit eject() {
    return new StartStopUnit(false, 0, 0, false, true, false, 0);
  }

  public static StartStopUnit load() {
    return new StartStopUnit(false, 0, 0, false, true, true, 0);
  }

  public static StartStopUnit spin(boolean start) {
    return new StartStopUnit(false, 0, 0, false, false, start, 0);
  }

  public static StartStopUnit decode(byte[] cdb) {
    return new StartStopUnit(
        (cdb[1] & IMMED) != 0,
        cdb[3] & 0x0F,
        (cdb[4] & 0xFF) >>> 4,
        (cdb[4] & NO_FLUSH) != 0,
        (cdb[4] & LOEJ) != 0,
        (cdb[4] & START) != 0,
        cdb[5] & 0xFF);
  }

  @Override
  public Opcode opcode() {
    return Opcode.START_STOP_UNIT;
  }

  @Override
  public byte[] encode() {
    byte[] out = new byte[6];
    out[0] = (byte) opcode().code();
    out[1] = (byte) (immediate ? IMMED : 0);
    out[3] = (byte) powerConditionModifier;
    out[4] =
        (byte)
            (powerCondition << 4
                | (noFlush ? NO_FLUSH : 0)
                | (loadEject ? LOEJ : 0)
                | (start ? START : 0));
    out[5] = (byte) control;
    return out;
  }

  @Override
  public String describe() {
    if (loadEject) {
      return start ? "START STOP UNIT (load)" : "START STOP UNIT (eject)";
    }
    return start ? "START STOP UNIT (start)" : "START STOP UNIT (stop)";
  }
}
