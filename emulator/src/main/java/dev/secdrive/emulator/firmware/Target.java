package dev.secdrive.emulator.firmware;

import dev.secdrive.emulator.capture.Captures;
import dev.secdrive.emulator.faults.FaultScript;
import dev.secdrive.emulator.faults.FaultScriptException;
import dev.secdrive.emulator.observe.Instruments;
import dev.secdrive.protocol.cdb.Cdbs;
import dev.secdrive.protocol.cdb.Inquiry;
import dev.secdrive.protocol.cdb.InvalidCdbException;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.ReportLuns;
import dev.secdrive.protocol.data.LunList;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The SCSI target device: several drives as logical units behind one endpoint. It answers REPORT
 * LUNS itself, and for a LUN with no drive (an incorrect logical unit, SAM-5, incorrect logical
 * unit selection; SPC-4 4.6.5) answers INQUIRY with peripheral qualifier 011b and device type 1Fh,
 * REQUEST SENSE with GOOD and the sense data LOGICAL UNIT NOT SUPPORTED (05/25/00) as its data, and
 * everything else with CHECK CONDITION and that sense.
 */
public final class Target {

  private final NavigableMap<Integer, Firmware> units;
  private final Instruments instruments;
  private volatile FaultScript faultScript = FaultScript.none();
  private final Captures captures = new Captures();

  /** A target whose meters and command log run on the system clock. */
  public Target(List<Firmware> drives) {
    this(drives, new Instruments());
  }

  /**
   * @param instruments what counts and logs the commands of every endpoint that serves this target
   */
  public Target(List<Firmware> drives, Instruments instruments) {
    this.instruments = instruments;
    NavigableMap<Integer, Firmware> map = new TreeMap<>();
    for (Firmware drive : drives) {
      if (map.put(drive.lun(), drive) != null) {
        throw new IllegalArgumentException("two drives on LUN " + drive.lun());
      }
    }
    this.units = Collections.unmodifiableNavigableMap(map);
  }

  public NavigableMap<Integer, Firmware> units() {
    return units;
  }

  /**
   * Arms {@code script}: each drive's faults in its drive, the line noise for the serial endpoints
   * ({@link #faultScript()}); the counts of every fault start now. Replaces the script armed
   * before.
   *
   * @throws FaultScriptException if a fault names a LUN no drive answers on
   */
  public void arm(FaultScript script) {
    List<FaultScript.Fault> faults = script.faults();
    for (int i = 0; i < faults.size(); i++) {
      int lun = faults.get(i).lun();
      if (lun != FaultScript.EVERY_DRIVE && !units.containsKey(lun)) {
        throw new FaultScriptException(
            "fault script: $.faults["
                + i
                + "]."
                + faults.get(i).kind()
                + ".lun: no drive on LUN "
                + lun
                + " (drives: "
                + units.keySet()
                + ")");
      }
    }
    for (Firmware unit : units.values()) {
      unit.faults().arm(script);
    }
    faultScript = script;
  }

  /** Whether, and where, the endpoints capture what crosses them. */
  public Captures captures() {
    return captures;
  }

  /** The fault script armed last, or {@link FaultScript#none()}. */
  public FaultScript faultScript() {
    return faultScript;
  }

  /** The meters and command log of the commands this target answers. */
  public Instruments instruments() {
    return instruments;
  }

  public Firmware unit(int lun) {
    return units.get(lun);
  }

  /** Executes one command addressed to {@code lun}. */
  public Response execute(Nexus nexus, int lun, byte[] cdb, ByteBuffer dataOut, DataIn dataIn) {
    int code = cdb.length == 0 ? -1 : cdb[0] & 0xFF;
    if (code == Opcode.REPORT_LUNS.code()) {
      return reportLuns(cdb, dataIn);
    }
    Firmware unit = units.get(lun);
    if (unit != null) {
      return unit.execute(nexus, cdb, dataOut, dataIn);
    }
    if (code == Opcode.INQUIRY.code() && cdb.length == 6 && (cdb[1] & 0x01) == 0 && cdb[2] == 0) {
      Inquiry inquiry = Inquiry.decode(cdb);
      byte[] data = StandardInquiryData.notSupported().encode();
      int length = Math.min(data.length, inquiry.allocationLength());
      if (length > 0) {
        dataIn.allocate(length).put(data, 0, length);
      }
      return Response.good(length, Response.AS_SENT, 0);
    }
    SenseData notSupported =
        SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LOGICAL_UNIT_NOT_SUPPORTED);
    if (code == Opcode.REQUEST_SENSE.code() && cdb.length == 6 && (cdb[1] & 0x01) == 0) {
      // SPC-4 6.39: the device server reports the incorrect logical unit as sense data, GOOD.
      byte[] data = notSupported.encode();
      int length = Math.min(data.length, cdb[4] & 0xFF);
      if (length > 0) {
        dataIn.allocate(length).put(data, 0, length);
      }
      return Response.good(length, Response.AS_SENT, 0);
    }
    return Response.checkCondition(notSupported, Response.AS_SENT, 0);
  }

  /** Drops a connection's state from every drive. */
  public void disconnect(Nexus nexus) {
    units.values().forEach(unit -> unit.disconnect(nexus));
  }

  private Response reportLuns(byte[] bytes, DataIn dataIn) {
    ReportLuns cdb;
    try {
      cdb = (ReportLuns) Cdbs.decode(bytes);
    } catch (InvalidCdbException e) {
      return Response.checkCondition(Firmware.sense(e), Response.AS_SENT, 0);
    }
    if ((cdb.control() & 0x04) != 0) {
      return invalidField(11, 2);
    }
    if (cdb.allocationLength() < ReportLuns.MINIMUM_ALLOCATION_LENGTH) {
      return invalidField(6, -1);
    }
    List<Integer> luns =
        switch (cdb.selectReport()) {
          case 0x00, 0x02 -> new ArrayList<>(units.keySet());
          case 0x01 -> List.of(); // no well-known logical units
          default -> null;
        };
    if (luns == null) {
      return invalidField(2, -1);
    }
    byte[] data = new LunList(luns).encode();
    int length = (int) Math.min(data.length, cdb.allocationLength());
    dataIn.allocate(length).put(data, 0, length);
    return Response.good(length, Response.AS_SENT, 0);
  }

  private static Response invalidField(int cdbByte, int bit) {
    return Response.checkCondition(
        SenseData.of(
            SenseKey.ILLEGAL_REQUEST,
            AdditionalSense.INVALID_FIELD_IN_CDB,
            new FieldPointer(true, cdbByte, bit)),
        Response.AS_SENT,
        0);
  }
}
