package dev.secdrive.emulator.commands.spc;

import dev.secdrive.emulator.firmware.CheckCondition;
import dev.secdrive.emulator.firmware.Command;
import dev.secdrive.emulator.firmware.CommandSet;
import dev.secdrive.emulator.firmware.DataIn;
import dev.secdrive.emulator.firmware.NexusState;
import dev.secdrive.emulator.firmware.ReservationConflict;
import dev.secdrive.emulator.firmware.UnitContext;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.protocol.cdb.CompareAndWrite;
import dev.secdrive.protocol.cdb.Inquiry;
import dev.secdrive.protocol.cdb.ModeSelect6;
import dev.secdrive.protocol.cdb.ModeSense6;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.PersistentReserveIn;
import dev.secdrive.protocol.cdb.PersistentReserveOut;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.ReadMediaSerialNumber;
import dev.secdrive.protocol.cdb.Release6;
import dev.secdrive.protocol.cdb.ReportLuns;
import dev.secdrive.protocol.cdb.ReportSupportedOperationCodes;
import dev.secdrive.protocol.cdb.RequestSense;
import dev.secdrive.protocol.cdb.Reserve6;
import dev.secdrive.protocol.cdb.SendDiagnostic;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.data.BlockLimits;
import dev.secdrive.protocol.data.ControlModePage;
import dev.secdrive.protocol.data.DeviceIdentification;
import dev.secdrive.protocol.data.DeviceIdentification.Designator;
import dev.secdrive.protocol.data.MediaSerialNumber;
import dev.secdrive.protocol.data.ModeParameters6;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.data.SupportedOperationCodes;
import dev.secdrive.protocol.data.SupportedVpdPages;
import dev.secdrive.protocol.data.UnitSerialNumber;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;

/**
 * The primary commands every device type shares (SPC-4): TEST UNIT READY, REQUEST SENSE, INQUIRY
 * and its VPD pages, MODE SENSE(6) and MODE SELECT(6), SEND DIAGNOSTIC, RESERVE(6) and RELEASE(6),
 * PERSISTENT RESERVE IN/OUT, PREVENT ALLOW MEDIUM REMOVAL, REPORT LUNS, REPORT SUPPORTED OPERATION
 * CODES and READ MEDIA SERIAL NUMBER.
 */
public final class SpcCommands implements CommandSet {

  /** The name drive profiles give this set. */
  public static final String NAME = "spc";

  private static final int OPTIMAL_TRANSFER_BYTES = 128 << 10;
  private static final List<Integer> VPD_PAGES =
      List.of(
          SupportedVpdPages.PAGE_CODE,
          UnitSerialNumber.PAGE_CODE,
          DeviceIdentification.PAGE_CODE,
          BlockLimits.PAGE_CODE);
  private static final int CACHING_PAGE = 0x08;
  private static final int CACHING_PAGE_LENGTH = 0x12;
  private static final int WCE = 0x04;
  private static final int DPOFUA = 0x10;
  private static final int MMC_DEVICE_TYPE = 0x05;
  private static final int DIAGNOSTIC_PAGE_HEADER = 4;

  /**
   * The command timeouts REPORT SUPPORTED OPERATION CODES returns with RCTD (SPC-4 6.35.4): the
   * nominal time is not specified (0); a host should wait {@link #RECOMMENDED_TIMEOUT_SECONDS} for
   * any command, and for START STOP UNIT the load time on top.
   */
  private static final int RECOMMENDED_TIMEOUT_SECONDS = 30;

  private final UnitContext unit;
  private final StandardInquiryData inquiry;
  private final DeviceIdentification identification;
  private final List<Command<?>> commands;

  public SpcCommands(UnitContext unit) {
    this.unit = unit;
    this.inquiry = standardInquiry(unit.profile());
    this.identification = identification(unit.profile(), unit.deviceId());
    this.commands =
        List.of(
            Command.of(Opcode.TEST_UNIT_READY, TestUnitReady.class, this::testUnitReady),
            Command.of(Opcode.REQUEST_SENSE, RequestSense.class, this::requestSense),
            Command.of(Opcode.INQUIRY, Inquiry.class, this::inquiry),
            Command.of(Opcode.RESERVE_6, Reserve6.class, this::reserve),
            Command.of(Opcode.RELEASE_6, Release6.class, this::release),
            Command.of(
                Opcode.PERSISTENT_RESERVE_IN, PersistentReserveIn.class, this::persistentReserveIn),
            Command.of(
                Opcode.PERSISTENT_RESERVE_OUT,
                PersistentReserveOut.class,
                this::persistentReserveOut),
            Command.of(Opcode.MODE_SENSE_6, ModeSense6.class, this::modeSense),
            Command.of(Opcode.MODE_SELECT_6, ModeSelect6.class, this::modeSelect),
            Command.of(Opcode.SEND_DIAGNOSTIC, SendDiagnostic.class, this::sendDiagnostic),
            Command.of(
                Opcode.PREVENT_ALLOW_MEDIUM_REMOVAL,
                PreventAllowMediumRemoval.class,
                this::preventAllow),
            Command.of(Opcode.REPORT_LUNS, ReportLuns.class, SpcCommands::reportLuns),
            Command.of(
                Opcode.REPORT_SUPPORTED_OPERATION_CODES,
                ReportSupportedOperationCodes.class,
                this::supportedOperationCodes),
            Command.of(
                Opcode.READ_MEDIA_SERIAL_NUMBER,
                ReadMediaSerialNumber.class,
                this::mediaSerialNumber));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<Command<?>> commands() {
    return commands;
  }

  /** The standard INQUIRY data of a drive of {@code profile} (SPC-4 6.6.2). */
  public static StandardInquiryData standardInquiry(DriveProfile profile) {
    var identity = profile.inquiry();
    return new StandardInquiryData(
        StandardInquiryData.QUALIFIER_CONNECTED,
        identity.peripheralDeviceType(),
        identity.removable(),
        StandardInquiryData.VERSION_SPC4,
        identity.vendor(),
        identity.product(),
        identity.revision(),
        versionDescriptors(identity.peripheralDeviceType()));
  }

  /**
   * The standards a drive of {@code type} claims in its standard INQUIRY data (SPC-4 6.6.2): SAM-5
   * and SPC-4, then its command set — SBC-3 for direct access (00h) and optical memory (07h), MMC-6
   * for CD/DVD (05h).
   */
  static List<Integer> versionDescriptors(int type) {
    return type == MMC_DEVICE_TYPE
        ? List.of(StandardInquiryData.SAM5, StandardInquiryData.SPC4, StandardInquiryData.MMC6)
        : List.of(StandardInquiryData.SAM5, StandardInquiryData.SPC4, StandardInquiryData.SBC3);
  }

  private int testUnitReady(NexusState nexus, TestUnitReady cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    unit.requireReady();
    return 0;
  }

  private int requestSense(NexusState nexus, RequestSense cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    if (cdb.descriptorFormat()) {
      throw CheckCondition.invalidField(1, 0); // SPC-4 6.39: descriptor format not supported
    }
    SenseData sense = nexus.pollUnitAttention();
    if (sense == null) {
      sense =
          unit.notReady()
              .map(CheckCondition::sense)
              .orElse(
                  SenseData.of(SenseKey.NO_SENSE, AdditionalSense.NO_ADDITIONAL_SENSE_INFORMATION));
    }
    return dataIn.respond(sense.encode(), cdb.allocationLength());
  }

  private int inquiry(NexusState nexus, Inquiry cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    if (!cdb.evpd()) {
      if (cdb.pageCode() != 0) {
        throw CheckCondition.invalidField(2);
      }
      return dataIn.respond(inquiry.encode(), cdb.allocationLength());
    }
    int type = inquiry.peripheralDeviceType();
    byte[] page =
        switch (cdb.pageCode()) {
          case SupportedVpdPages.PAGE_CODE -> new SupportedVpdPages(type, VPD_PAGES).encode();
          case UnitSerialNumber.PAGE_CODE -> new UnitSerialNumber(type, unit.deviceId()).encode();
          case DeviceIdentification.PAGE_CODE -> identification.encode();
          case BlockLimits.PAGE_CODE -> {
            int blockSize = currentBlockSize();
            long maximum = unit.maximumTransferLength(blockSize);
            // WRITE SAME is bounded like a transfer, so that one command is one bounded write.
            long writeSame = supports(Opcode.WRITE_SAME_10) ? maximum : 0;
            int compareAndWrite =
                supports(Opcode.COMPARE_AND_WRITE) ? CompareAndWrite.MAXIMUM_BLOCKS : 0;
            yield new BlockLimits(
                    type, compareAndWrite, maximum, OPTIMAL_TRANSFER_BYTES / blockSize, writeSame)
                .encode();
          }
          default -> throw CheckCondition.invalidField(2);
        };
    return dataIn.respond(page, cdb.allocationLength());
  }

  private boolean supports(Opcode opcode) {
    return unit.commands().containsKey(opcode);
  }

  private int currentBlockSize() {
    Medium medium = unit.loadedMedium();
    return medium != null ? medium.blockSize() : unit.profile().defaultMedium().blockSize();
  }

  private int modeSense(NexusState nexus, ModeSense6 cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    if (cdb.pageControl() == ModeSense6.PAGE_CONTROL_SAVED) {
      throw new CheckCondition(
          SenseData.of(
              SenseKey.ILLEGAL_REQUEST,
              AdditionalSense.SAVING_PARAMETERS_NOT_SUPPORTED,
              FieldPointer.cdb(2, 7)));
    }
    if (cdb.pageCode() != ModeSense6.ALL_PAGES
        && page6(cdb.pageCode(), ModeSense6.PAGE_CONTROL_CURRENT) == null) {
      throw CheckCondition.invalidField(2, 5);
    }
    if (cdb.subpageCode() != 0
        && !(cdb.pageCode() == ModeSense6.ALL_PAGES && cdb.subpageCode() == 0xFF)) {
      throw CheckCondition.invalidField(3);
    }
    Medium medium = unit.loadedMedium();
    ModeParameters6.BlockDescriptor descriptor = null;
    if (!cdb.disableBlockDescriptors() && medium != null) {
      descriptor =
          new ModeParameters6.BlockDescriptor(0, descriptorBlocks(medium), medium.blockSize());
    }
    int pc = cdb.pageControl();
    byte[] pages =
        cdb.pageCode() == ModeSense6.ALL_PAGES
            ? Bytes.concat(
                page6(CACHING_PAGE, pc), page6(ControlModePage.PAGE_CODE, pc)) // code order
            : page6(cdb.pageCode(), pc);
    boolean writeProtected = medium != null && medium.metadata().readOnly();
    byte[] data = new ModeParameters6(0, writeProtected, descriptor, pages).encode();
    if (inquiry.peripheralDeviceType() != MMC_DEVICE_TYPE) {
      // SBC-3 6.4.1: DPOFUA, the device-specific parameter's bit 4; READ/WRITE honour FUA.
      data[2] |= DPOFUA;
    }
    return dataIn.respond(data, cdb.allocationLength());
  }

  /** NUMBER OF LOGICAL BLOCKS of the short block descriptor: FFFFFFh when it does not fit. */
  private static long descriptorBlocks(Medium medium) {
    return Math.min(medium.blockCount(), ModeParameters6.BlockDescriptor.MAXIMUM_BLOCKS);
  }

  /**
   * A page of MODE SENSE(6) and MODE SELECT(6) with its header, or null: the Caching page (08h,
   * SBC-3 6.4.5) and the Control page (0Ah).
   *
   * <p>Caching: WCE, set from power-on and after a reset, means a GOOD write is in the host's page
   * cache (safe from a crash of the emulator, not of the machine) until SYNCHRONIZE CACHE or FUA
   * forces it to the medium. WCE is the one changeable field, on a drive that writes: with WCE
   * clear every write reaches the medium before GOOD. Nothing is savable.
   */
  private byte[] page6(int code, int pageControl) {
    if (code == ControlModePage.PAGE_CODE) {
      return ControlModePage.page(pageControl == ModeSense6.PAGE_CONTROL_CHANGEABLE);
    }
    if (code != CACHING_PAGE) {
      return null;
    }
    byte[] caching = new byte[2 + CACHING_PAGE_LENGTH];
    caching[0] = (byte) CACHING_PAGE;
    caching[1] = (byte) CACHING_PAGE_LENGTH;
    boolean wce =
        switch (pageControl) {
          case ModeSense6.PAGE_CONTROL_CHANGEABLE -> supports(Opcode.WRITE_10);
          case ModeSense6.PAGE_CONTROL_CURRENT -> unit.userArea().writeCache();
          default -> true;
        };
    if (wce) {
      caching[2] = WCE;
    }
    return caching;
  }

  /** The pages MODE SELECT(6) checks a list against and applies it to. */
  private final ModeSelectList.Pages pages6 =
      new ModeSelectList.Pages() {
        @Override
        public byte[] current(int code) {
          return page6(code, ModeSense6.PAGE_CONTROL_CURRENT);
        }

        @Override
        public byte[] changeable(int code) {
          return page6(code, ModeSense6.PAGE_CONTROL_CHANGEABLE);
        }

        @Override
        public void set(int code, byte[] page) {
          if (code == CACHING_PAGE) {
            unit.userArea().writeCache((page[2] & WCE) != 0);
          }
        }
      };

  /**
   * MODE SELECT(6) (SPC-4 6.9) of the pages MODE SENSE(6) returns, see {@link ModeSelectList}; a
   * change reaches the other nexuses as MODE PARAMETERS CHANGED (2A/01), the mode pages being
   * shared by all of them.
   */
  private int modeSelect(NexusState nexus, ModeSelect6 cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    unit.dataOutLength(cdb.parameterListLength());
    Medium medium = unit.loadedMedium();
    long blocks = medium == null ? 0 : descriptorBlocks(medium);
    if (ModeSelectList.apply(cdb, dataOut, currentBlockSize(), blocks, pages6)) {
      unit.unitAttentionToOthers(nexus, AdditionalSense.MODE_PARAMETERS_CHANGED);
    }
    return 0;
  }

  /**
   * SEND DIAGNOSTIC (SPC-4 6.42): the default self-test (SELFTEST) and the foreground short and
   * extended self-tests run at once and pass, as the emulated hardware has nothing that can fail
   * them; SELFTEST or PF clear with nothing to do is GOOD. Refused with INVALID FIELD IN CDB: a
   * self-test code with SELFTEST, the background self-tests and their abort (no Self-Test Results
   * log page to report them in), a parameter list with SELFTEST or a self-test code. Diagnostic
   * pages in the parameter list: none is supported (INVALID FIELD IN PARAMETER LIST at the page
   * code), or PF clear (vendor pages, INVALID FIELD IN CDB).
   */
  private int sendDiagnostic(
      NexusState nexus, SendDiagnostic cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    int code = cdb.selfTestCode();
    if (code != SendDiagnostic.NO_SELF_TEST_CODE
        && (cdb.selfTest()
            || (code != SendDiagnostic.FOREGROUND_SHORT
                && code != SendDiagnostic.FOREGROUND_EXTENDED))) {
      throw CheckCondition.invalidField(1, 7);
    }
    int length = cdb.parameterListLength();
    unit.dataOutLength(length);
    if (length == 0) {
      return 0;
    }
    if (cdb.selfTest() || code != SendDiagnostic.NO_SELF_TEST_CODE) {
      throw CheckCondition.invalidField(3);
    }
    if (!cdb.pageFormat()) {
      throw CheckCondition.invalidField(1, 4);
    }
    if (dataOut.remaining() < Math.min(length, DIAGNOSTIC_PAGE_HEADER)) {
      throw CheckCondition.parameterListLength();
    }
    throw CheckCondition.invalidParameter(0, -1);
  }

  private int preventAllow(
      NexusState nexus, PreventAllowMediumRemoval cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    if (cdb.prevent() > PreventAllowMediumRemoval.PREVENT) {
      throw CheckCondition.invalidField(4, 1); // 10b and 11b are for medium changers
    }
    // SPC-4 6.13: the PREVENT belongs to the nexus and ends with it.
    nexus.prevent(cdb.prevent() == PreventAllowMediumRemoval.PREVENT);
    return 0;
  }

  /**
   * RESERVE(6) (SPC-2 7.21): the whole unit for this nexus, again if it holds it already; another
   * nexus's RESERVE never gets here, the dispatcher answers it RESERVATION CONFLICT. A LOGICAL UNIT
   * RESET, a target reset and the loss of the nexus release it.
   */
  private int reserve(NexusState nexus, Reserve6 cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition, ReservationConflict {
    checkNoThirdPartyOrExtent(cdb.obsoleteFlags());
    checkNoPersistentReservation();
    unit.reserve(nexus);
    return 0;
  }

  /**
   * RELEASE(6) (SPC-2 7.19): releases this nexus's reservation; from any other, GOOD and nothing.
   */
  private int release(NexusState nexus, Release6 cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition, ReservationConflict {
    checkNoThirdPartyOrExtent(cdb.obsoleteFlags());
    checkNoPersistentReservation();
    unit.release(nexus);
    return 0;
  }

  /**
   * SPC-4 5.9.3 with CRH 0 (REPORT CAPABILITIES): while any persistent registration or reservation
   * exists, RESERVE(6) and RELEASE(6) conflict.
   */
  private void checkNoPersistentReservation() throws ReservationConflict {
    if (unit.persistentReservationsActive()) {
      throw new ReservationConflict();
    }
  }

  /** PERSISTENT RESERVE IN (SPC-4 6.15): the state as its service action reports it. */
  private int persistentReserveIn(
      NexusState nexus, PersistentReserveIn cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    return dataIn.respond(unit.persistentReserveIn(cdb), cdb.allocationLength());
  }

  /** PERSISTENT RESERVE OUT (SPC-4 6.16): its parameter list is the data-out. */
  private int persistentReserveOut(
      NexusState nexus, PersistentReserveOut cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition, ReservationConflict {
    unit.persistentReserveOut(nexus, cdb, dataOut);
    return 0;
  }

  private static void checkNoThirdPartyOrExtent(int flags) throws CheckCondition {
    if (flags != 0) {
      throw CheckCondition.invalidField(1, 31 - Integer.numberOfLeadingZeros(flags));
    }
  }

  /**
   * REPORT LUNS addresses the target, not one logical unit (SPC-4 REPORT LUNS): {@link
   * dev.secdrive.emulator.firmware.Target} answers it before a unit sees it, so a unit that gets
   * one was called around the target.
   */
  private static int reportLuns(NexusState nexus, ReportLuns cdb, ByteBuffer dataOut, DataIn in) {
    throw new IllegalStateException("REPORT LUNS is answered by the target");
  }

  /** SPC-4 6.35: reads the unit's command table, the one the dispatcher executes from. */
  private int supportedOperationCodes(
      NexusState nexus, ReportSupportedOperationCodes cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    int requested = cdb.requestedOperationCode();
    boolean rctd = cdb.returnTimeouts();
    byte[] data =
        switch (cdb.reportingOptions()) {
          case ReportSupportedOperationCodes.REPORT_ALL ->
              new SupportedOperationCodes.AllCommands(
                      unit.commands().keySet().stream()
                          .map(
                              o ->
                                  new SupportedOperationCodes.CommandDescriptor(
                                      o.code(),
                                      o.hasServiceAction() ? o.serviceAction() : 0,
                                      o.hasServiceAction(),
                                      o.cdbLength(),
                                      rctd ? timeouts(o) : null))
                          .toList())
                  .encode();
          case ReportSupportedOperationCodes.REPORT_ONE -> {
            if (Opcode.hasServiceAction(requested)) {
              throw CheckCondition.invalidField(
                  3); // SPC-4 6.35.1: this opcode needs a service action
            }
            yield oneCommand(requested, Opcode.NO_SERVICE_ACTION, rctd);
          }
          case ReportSupportedOperationCodes.REPORT_ONE_WITH_SERVICE_ACTION -> {
            if (!Opcode.hasServiceAction(requested)) {
              throw CheckCondition.invalidField(3);
            }
            yield oneCommand(requested, cdb.requestedServiceAction(), rctd);
          }
          default -> throw CheckCondition.invalidField(2, 2);
        };
    return dataIn.respond(data, cdb.allocationLength());
  }

  /** The command timeouts descriptor of one command (SPC-4 6.35.4). */
  private SupportedOperationCodes.CommandTimeouts timeouts(Opcode opcode) {
    long seconds = RECOMMENDED_TIMEOUT_SECONDS;
    if (opcode == Opcode.START_STOP_UNIT) {
      seconds += (unit.profile().timing().loadMillis() + 999) / 1000;
    }
    return new SupportedOperationCodes.CommandTimeouts(0, seconds);
  }

  private byte[] oneCommand(int code, int serviceAction, boolean rctd) {
    return Opcode.find(code, serviceAction)
        .filter(unit.commands()::containsKey)
        .map(
            o ->
                new SupportedOperationCodes.OneCommand(
                    SupportedOperationCodes.OneCommand.SUPPORTED,
                    o.usageData(),
                    rctd ? timeouts(o) : null))
        .orElse(
            new SupportedOperationCodes.OneCommand(
                SupportedOperationCodes.OneCommand.NOT_SUPPORTED, new byte[0]))
        .encode();
  }

  /** The medium ID of the read-only ID area (DESIGN.md "Media"). */
  private int mediaSerialNumber(
      NexusState nexus, ReadMediaSerialNumber cdb, ByteBuffer dataOut, DataIn dataIn)
      throws CheckCondition {
    Medium medium = unit.requireReady();
    return dataIn.respond(new MediaSerialNumber(medium.id()).encode(), cdb.allocationLength());
  }

  /**
   * The Device Identification VPD page (83h): a T10 vendor ID designator and an NAA 3h (locally
   * assigned, SPC-4, NAA designator) designator, the 60 bits after the NAA nibble taken from a hash
   * of the device ID. Not an EUI-64: that needs an IEEE company ID secdrive does not have.
   */
  private static DeviceIdentification identification(DriveProfile profile, String deviceId) {
    var identity = profile.inquiry();
    byte[] t10 = new byte[8 + 16 + deviceId.length()];
    Arrays.fill(t10, (byte) ' ');
    byte[] v = identity.vendor().getBytes(StandardCharsets.US_ASCII);
    byte[] p = identity.product().getBytes(StandardCharsets.US_ASCII);
    byte[] d = deviceId.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(v, 0, t10, 0, v.length);
    System.arraycopy(p, 0, t10, 8, p.length);
    System.arraycopy(d, 0, t10, 24, d.length);
    byte[] naa;
    try {
      naa =
          Arrays.copyOf(
              MessageDigest.getInstance("SHA-256")
                  .digest(("secdrive naa-3 " + deviceId).getBytes(StandardCharsets.US_ASCII)),
              8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    naa[0] = (byte) (Designator.NAA_LOCALLY_ASSIGNED << 4 | naa[0] & 0x0F);
    return new DeviceIdentification(
        identity.peripheralDeviceType(),
        List.of(
            new Designator(
                Designator.CODE_SET_ASCII,
                Designator.ASSOCIATION_LOGICAL_UNIT,
                Designator.TYPE_T10_VENDOR_ID,
                t10),
            new Designator(
                Designator.CODE_SET_BINARY,
                Designator.ASSOCIATION_LOGICAL_UNIT,
                Designator.TYPE_NAA,
                naa)));
  }
}
