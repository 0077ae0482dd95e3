package dev.secdrive.emulator.firmware;

import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumException;
import dev.secdrive.emulator.media.PowerLoss;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.emulator.secure.SecureLayer;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.protocol.cdb.BlockCommand;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.Cdbs;
import dev.secdrive.protocol.cdb.GetEventStatusNotification;
import dev.secdrive.protocol.cdb.Inquiry;
import dev.secdrive.protocol.cdb.InvalidCdbException;
import dev.secdrive.protocol.cdb.ModeSense6;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.ReadCapacity10;
import dev.secdrive.protocol.cdb.ReadCapacity16;
import dev.secdrive.protocol.cdb.ReadMediaSerialNumber;
import dev.secdrive.protocol.cdb.ReportSupportedOperationCodes;
import dev.secdrive.protocol.cdb.RequestSense;
import dev.secdrive.protocol.cdb.SecurityProtocolIn;
import dev.secdrive.protocol.cdb.SecurityProtocolOut;
import dev.secdrive.protocol.cdb.StartStopUnit;
import dev.secdrive.protocol.cdb.Verify10;
import dev.secdrive.protocol.data.BlockLimits;
import dev.secdrive.protocol.data.DeviceIdentification;
import dev.secdrive.protocol.data.DeviceIdentification.Designator;
import dev.secdrive.protocol.data.MediaEventStatus;
import dev.secdrive.protocol.data.MediaEventStatus.MediaEvent;
import dev.secdrive.protocol.data.MediaSerialNumber;
import dev.secdrive.protocol.data.ModeParameters6;
import dev.secdrive.protocol.data.ReadCapacity10Data;
import dev.secdrive.protocol.data.ReadCapacity16Data;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.data.SupportedOperationCodes;
import dev.secdrive.protocol.data.SupportedVpdPages;
import dev.secdrive.protocol.data.UnitSerialNumber;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.security.Operation;
import dev.secdrive.protocol.security.SecurityProtocols;
import dev.secdrive.protocol.sense.AdditionalSense;
import dev.secdrive.protocol.sense.FieldPointer;
import dev.secdrive.protocol.sense.SenseData;
import dev.secdrive.protocol.sense.SenseKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The firmware of one drive (one logical unit): decodes each CDB, checks it the way SPC-4, SBC-3
 * and MMC-6 say, and executes it against the loaded medium. One command runs at a time, as on a
 * drive without command queueing; the response carries the time the drive needs, so realistic
 * timing delays the answer without blocking anyone.
 *
 * <p>Every failure becomes CHECK CONDITION here: {@link ScsiError} carries the sense; an I/O error
 * on the image is a MEDIUM ERROR; anything unexpected is HARDWARE ERROR 44/00, logged with the CDB.
 */
public final class Firmware {

  /** Largest data phase of one command; reported in the Block Limits VPD page. */
  public static final int MAXIMUM_TRANSFER_BYTES = Frame.DEFAULT_MAXIMUM_DATA_LENGTH;

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
  private static final int PERIPHERAL_DEVICE_TYPE_MMC = 0x05;

  private static final Logger log = LoggerFactory.getLogger(Firmware.class);

  private final int lun;
  private final DriveProfile profile;
  private final String deviceId;
  private final LongSupplier clock;
  private final TimingModel timing;
  private final Mechanism mechanism;
  private final Set<Opcode> supported = EnumSet.noneOf(Opcode.class);
  private final Map<Nexus, NexusState> nexuses = new IdentityHashMap<>();
  private final Faults faults = new Faults();
  private final StandardInquiryData inquiry;
  private final DeviceIdentification identification;
  private final SecureLayer secure;
  private volatile Runnable powerLossListener = () -> {};
  private volatile boolean poweredOff;

  private long busyUntil;
  private long serviceNanos;
  private long commands;

  /**
   * @param lun the logical unit number this drive answers on
   * @param profile the drive model
   * @param deviceId the device ID (unit serial number, VPD 80h)
   * @param mode fast or realistic timing
   * @param clock nanosecond clock, {@code System::nanoTime} outside tests
   */
  public Firmware(
      int lun, DriveProfile profile, String deviceId, TimingMode mode, LongSupplier clock) {
    this(
        lun,
        profile,
        deviceId,
        mode,
        clock,
        DriveKeys.enroll(deviceId, Authority.create()),
        DriveNv.inMemory());
  }

  /**
   * @param keys the drive's key material (certificate subject = {@code deviceId})
   * @param nv the drive's non-volatile state (monotonic counter, recorded license versions)
   */
  public Firmware(
      int lun,
      DriveProfile profile,
      String deviceId,
      TimingMode mode,
      LongSupplier clock,
      DriveKeys keys,
      DriveNv nv) {
    if (!keys.deviceId().equals(deviceId)) {
      throw new IllegalArgumentException(
          "drive keys of " + keys.deviceId() + " given to drive " + deviceId);
    }
    this.secure = new SecureLayer(keys, nv, faults, new SecureWrites());
    this.lun = lun;
    this.profile = profile;
    this.deviceId = deviceId;
    this.clock = clock;
    this.timing = new TimingModel(mode, profile.timing());
    this.mechanism =
        new Mechanism(profile.inquiry().peripheralDeviceType() == PERIPHERAL_DEVICE_TYPE_MMC);
    for (String name : profile.commands()) {
      supported.add(
          Opcode.fromText(name)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "profile " + profile.id() + " lists unknown command " + name)));
    }
    var identity = profile.inquiry();
    this.inquiry =
        new StandardInquiryData(
            StandardInquiryData.QUALIFIER_CONNECTED,
            identity.peripheralDeviceType(),
            identity.removable(),
            StandardInquiryData.VERSION_SPC4,
            identity.vendor(),
            identity.product(),
            identity.revision());
    this.identification =
        identification(
            identity.peripheralDeviceType(), identity.vendor(), identity.product(), deviceId);
  }

  public int lun() {
    return lun;
  }

  public DriveProfile profile() {
    return profile;
  }

  public String deviceId() {
    return deviceId;
  }

  public Faults faults() {
    return faults;
  }

  /** The drive's secure layer (keys, drive state, crash step names). */
  public SecureLayer secure() {
    return secure;
  }

  /**
   * Called once, from the thread that hit it, when an injected power loss stops the drive. The
   * drive answers nothing from then on: every command raises {@link PowerLoss}.
   */
  public void onPowerLoss(Runnable listener) {
    this.powerLossListener = listener;
  }

  /** Whether an injected power loss has stopped this drive. */
  public boolean poweredOff() {
    return poweredOff;
  }

  // ---------------------------------------------------------------- commands

  /**
   * Executes one command for {@code nexus}.
   *
   * @param cdb the CDB bytes as they arrived
   * @param dataOut the data-out bytes; positions are not consumed
   * @param dataIn where the command's data-in bytes go
   */
  public synchronized Response execute(Nexus nexus, byte[] cdb, ByteBuffer dataOut, DataIn dataIn) {
    if (poweredOff) {
      throw new PowerLoss("(the drive is off)");
    }
    long now = clock.getAsLong();
    mechanism.tick(now);
    commands++;
    serviceNanos = 0;
    try {
      int length = dispatch(nexusState(nexus), cdb, dataOut, dataIn);
      return Response.good(length, complete(now));
    } catch (ScsiError e) {
      return Response.checkCondition(e.sense(), complete(now));
    } catch (PowerLoss e) {
      // A pulled plug: no answer, no clean-up; whatever is on disk now is what survives.
      poweredOff = true;
      log.warn("LUN {}: {}", lun, e.getMessage());
      powerLossListener.run();
      throw e;
    } catch (RuntimeException e) {
      log.error(
          "LUN {}: HARDWARE ERROR on CDB {} from {}", lun, HexFormat.of().formatHex(cdb), nexus, e);
      return Response.checkCondition(
          SenseData.of(SenseKey.HARDWARE_ERROR, AdditionalSense.INTERNAL_TARGET_FAILURE),
          complete(now));
    }
  }

  private int dispatch(NexusState nexus, byte[] bytes, ByteBuffer dataOut, DataIn dataIn)
      throws ScsiError {
    int code = bytes.length == 0 ? -1 : bytes[0] & 0xFF;
    // SPC-4 5.14: INQUIRY, REPORT LUNS and REQUEST SENSE are not held up by a unit attention;
    // MMC-6 6.6 adds GET EVENT STATUS NOTIFICATION.
    boolean reportsUnitAttention =
        code != Opcode.INQUIRY.code()
            && code != Opcode.REQUEST_SENSE.code()
            && code != Opcode.REPORT_LUNS.code()
            && code != Opcode.GET_EVENT_STATUS_NOTIFICATION.code();
    if (reportsUnitAttention) {
      SenseData attention = nexus.unitAttentions.poll();
      if (attention != null) {
        throw new ScsiError(attention);
      }
    }
    Cdb cdb;
    try {
      cdb = Cdbs.decode(bytes);
    } catch (InvalidCdbException e) {
      throw new ScsiError(e.sense());
    }
    if (!supported.contains(cdb.opcode())) {
      throw new ScsiError(
          SenseData.of(
              SenseKey.ILLEGAL_REQUEST,
              AdditionalSense.INVALID_COMMAND_OPERATION_CODE,
              FieldPointer.cdb(0)));
    }
    if ((cdb.control() & Cdb.CONTROL_NACA) != 0) {
      throw ScsiError.invalidField(bytes.length - 1, 2); // no ACA support (SAM-5 5.9)
    }
    return switch (cdb.opcode()) {
      case TEST_UNIT_READY -> {
        requireReady();
        yield 0;
      }
      case REQUEST_SENSE -> requestSense(nexus, (RequestSense) cdb, dataIn);
      case INQUIRY -> inquiry((Inquiry) cdb, dataIn);
      case MODE_SENSE_6 -> modeSense((ModeSense6) cdb, dataIn);
      case START_STOP_UNIT -> startStopUnit((StartStopUnit) cdb);
      case PREVENT_ALLOW_MEDIUM_REMOVAL -> preventAllow(nexus, (PreventAllowMediumRemoval) cdb);
      case READ_CAPACITY_10 -> readCapacity10((ReadCapacity10) cdb, dataIn);
      case READ_CAPACITY_16 -> readCapacity16((ReadCapacity16) cdb, dataIn);
      case READ_10, READ_16 -> read(nexus, (BlockCommand) cdb, dataIn);
      case WRITE_10, WRITE_16 -> write((BlockCommand) cdb, dataOut);
      case VERIFY_10 -> verify((Verify10) cdb, dataOut);
      case SYNCHRONIZE_CACHE_10 -> synchronizeCache((BlockCommand) cdb);
      case GET_EVENT_STATUS_NOTIFICATION ->
          eventStatus(nexus, (GetEventStatusNotification) cdb, dataIn);
      case REPORT_SUPPORTED_OPERATION_CODES ->
          supportedOperationCodes((ReportSupportedOperationCodes) cdb, dataIn);
      case READ_MEDIA_SERIAL_NUMBER -> mediaSerialNumber((ReadMediaSerialNumber) cdb, dataIn);
      case SECURITY_PROTOCOL_IN -> securityIn(nexus, (SecurityProtocolIn) cdb, dataIn);
      case SECURITY_PROTOCOL_OUT -> securityOut(nexus, (SecurityProtocolOut) cdb, dataOut);
      case REPORT_LUNS -> throw new IllegalStateException("REPORT LUNS is answered by the target");
    };
  }

  private int requestSense(NexusState nexus, RequestSense cdb, DataIn dataIn) throws ScsiError {
    if (cdb.descriptorFormat()) {
      throw ScsiError.invalidField(1, 0); // SPC-4 6.39: descriptor format not supported
    }
    SenseData sense = nexus.unitAttentions.poll();
    if (sense == null) {
      ScsiError notReady = mechanism.notReady();
      sense =
          notReady != null
              ? notReady.sense()
              : SenseData.of(SenseKey.NO_SENSE, AdditionalSense.NO_ADDITIONAL_SENSE_INFORMATION);
    }
    return respond(dataIn, sense.encode(), cdb.allocationLength());
  }

  private int inquiry(Inquiry cdb, DataIn dataIn) throws ScsiError {
    if (!cdb.evpd()) {
      if (cdb.pageCode() != 0) {
        throw ScsiError.invalidField(2);
      }
      return respond(dataIn, inquiry.encode(), cdb.allocationLength());
    }
    int type = inquiry.peripheralDeviceType();
    byte[] page =
        switch (cdb.pageCode()) {
          case SupportedVpdPages.PAGE_CODE -> new SupportedVpdPages(type, VPD_PAGES).encode();
          case UnitSerialNumber.PAGE_CODE -> new UnitSerialNumber(type, deviceId).encode();
          case DeviceIdentification.PAGE_CODE -> identification.encode();
          case BlockLimits.PAGE_CODE -> {
            int blockSize = currentBlockSize();
            yield new BlockLimits(
                    type, MAXIMUM_TRANSFER_BYTES / blockSize, OPTIMAL_TRANSFER_BYTES / blockSize)
                .encode();
          }
          default -> throw ScsiError.invalidField(2);
        };
    return respond(dataIn, page, cdb.allocationLength());
  }

  private int modeSense(ModeSense6 cdb, DataIn dataIn) throws ScsiError {
    if (cdb.pageControl() == ModeSense6.PAGE_CONTROL_SAVED) {
      throw new ScsiError(
          SenseData.of(
              SenseKey.ILLEGAL_REQUEST,
              AdditionalSense.SAVING_PARAMETERS_NOT_SUPPORTED,
              FieldPointer.cdb(2, 7)));
    }
    if (cdb.pageCode() != CACHING_PAGE && cdb.pageCode() != ModeSense6.ALL_PAGES) {
      throw ScsiError.invalidField(2, 5);
    }
    if (cdb.subpageCode() != 0
        && !(cdb.pageCode() == ModeSense6.ALL_PAGES && cdb.subpageCode() == 0xFF)) {
      throw ScsiError.invalidField(3);
    }
    Medium medium = mechanism.loadedMedium();
    ModeParameters6.BlockDescriptor descriptor = null;
    if (!cdb.disableBlockDescriptors() && medium != null) {
      descriptor =
          new ModeParameters6.BlockDescriptor(
              0,
              Math.min(medium.blockCount(), ModeParameters6.BlockDescriptor.MAXIMUM_BLOCKS),
              medium.blockSize());
    }
    // Caching page (SBC-3 6.4.5): WCE is set because a GOOD write is in the host's page cache
    // (safe from a crash of the emulator, not of the machine) until SYNCHRONIZE CACHE or FUA
    // forces it to the medium; no field is changeable.
    byte[] caching = new byte[2 + CACHING_PAGE_LENGTH];
    caching[0] = (byte) CACHING_PAGE;
    caching[1] = (byte) CACHING_PAGE_LENGTH;
    if (cdb.pageControl() != ModeSense6.PAGE_CONTROL_CHANGEABLE) {
      caching[2] = WCE;
    }
    boolean writeProtected = medium != null && medium.metadata().readOnly();
    byte[] data = new ModeParameters6(0, writeProtected, descriptor, caching).encode();
    return respond(dataIn, data, cdb.allocationLength());
  }

  private int startStopUnit(StartStopUnit cdb) throws ScsiError {
    if (cdb.powerCondition() != 0) {
      throw ScsiError.invalidField(4, 7); // power conditions are not emulated
    }
    DriveEvent event;
    if (cdb.loadEject()) {
      event = cdb.start() ? new DriveEvent.Load() : new DriveEvent.Eject();
    } else {
      event = cdb.start() ? new DriveEvent.Start() : new DriveEvent.Stop();
    }
    DriveState before = mechanism.state();
    Mechanism.Effect effect =
        mechanism.onHost(event, removalPrevented(), clock.getAsLong(), timing.loadNanos());
    apply(effect);
    if (!cdb.immediate()
        && before != DriveState.BECOMING_READY
        && mechanism.state() == DriveState.BECOMING_READY) {
      service(timing.loadNanos()); // without IMMED, status follows the spin-up (SBC-3 5.25)
    }
    return 0;
  }

  private int preventAllow(NexusState nexus, PreventAllowMediumRemoval cdb) throws ScsiError {
    if (cdb.prevent() > PreventAllowMediumRemoval.PREVENT) {
      throw ScsiError.invalidField(4, 1); // 10b and 11b are for medium changers
    }
    nexus.prevent = cdb.prevent() == PreventAllowMediumRemoval.PREVENT;
    return 0;
  }

  private int readCapacity10(ReadCapacity10 cdb, DataIn dataIn) throws ScsiError {
    Medium medium = requireReady();
    if (!cdb.pmi() && cdb.lba() != 0) {
      throw ScsiError.invalidField(2); // SBC-3 5.15.1
    }
    long last = medium.blockCount() - 1;
    long returned = Math.min(last, ReadCapacity10Data.LBA_TOO_LARGE);
    return respond(
        dataIn,
        new ReadCapacity10Data(returned, medium.blockSize()).encode(),
        ReadCapacity10Data.LENGTH);
  }

  private int readCapacity16(ReadCapacity16 cdb, DataIn dataIn) throws ScsiError {
    Medium medium = requireReady();
    if (!cdb.pmi() && cdb.lba() != 0) {
      throw ScsiError.invalidField(2);
    }
    return respond(
        dataIn,
        new ReadCapacity16Data(medium.blockCount() - 1, medium.blockSize()).encode(),
        cdb.allocationLength());
  }

  private int read(NexusState nexus, BlockCommand cdb, DataIn dataIn) throws ScsiError {
    Medium medium = requireReady();
    int bytes = checkAccess(cdb, medium);
    if (bytes == 0) {
      return 0;
    }
    long failing = faults.firstReadError(cdb.lba(), cdb.blocks());
    if (failing >= 0) {
      throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, failing);
    }
    ByteBuffer destination = dataIn.allocate(bytes);
    int start = destination.position();
    try {
      medium.read(cdb.lba(), destination);
    } catch (IOException e) {
      log.error("LUN {}: reading medium {} at LBA {} failed", lun, medium.id(), cdb.lba(), e);
      throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, cdb.lba());
    }
    if (nexus.session.playing()) {
      // PROTOCOL.md "Titles": the open title's data blocks leave the drive decrypted, in place.
      secure.decryptRead(nexus.session, medium, cdb.lba(), cdb.blocks(), destination, start);
    }
    service(timing.accessNanos(cdb.lba(), cdb.blocks(), bytes, false));
    return bytes;
  }

  private int write(BlockCommand cdb, ByteBuffer dataOut) throws ScsiError {
    Medium medium = requireReady();
    int bytes = checkAccess(cdb, medium);
    if (medium.metadata().readOnly()) {
      throw ScsiError.of(SenseKey.DATA_PROTECT, AdditionalSense.WRITE_PROTECTED);
    }
    if (dataOut.remaining() != bytes) {
      // The data-out phase must carry exactly the blocks the CDB names.
      throw ScsiError.invalidField(cdb.lengthFieldOffset());
    }
    if (bytes == 0) {
      return 0;
    }
    writeBlocks(medium, cdb.lba(), dataOut.duplicate(), forceUnitAccess(cdb));
    return 0;
  }

  /**
   * Writes whole blocks from {@code source} at {@code lba}, as WRITE does: an injected write error
   * stops the write before the failing block and answers MEDIUM ERROR 0C/00 naming it.
   */
  private void writeBlocks(Medium medium, long lba, ByteBuffer source, boolean fua)
      throws ScsiError {
    int bytes = source.remaining();
    long blocks = bytes / medium.blockSize();
    long failing = faults.firstWriteError(lba, blocks);
    if (failing >= 0) {
      source.limit(source.position() + (int) (failing - lba) * medium.blockSize());
    }
    try {
      medium.write(lba, source);
      if (fua) {
        medium.force(); // FUA: on the medium before GOOD, not only in the host's page cache
      }
    } catch (IOException e) {
      log.error("LUN {}: writing medium {} at LBA {} failed", lun, medium.id(), lba, e);
      throw mediumError(AdditionalSense.WRITE_ERROR, lba);
    }
    if (failing >= 0) {
      throw mediumError(AdditionalSense.WRITE_ERROR, failing);
    }
    service(timing.accessNanos(lba, blocks, bytes, true));
  }

  /**
   * The secure layer's user-area writes (a BACKUP to the user area) go the way of a WRITE, with its
   * write faults and service time; unlike a WRITE, a blob that would hit a failing block is refused
   * before any of it is written, since half a blob is of no use to anyone.
   */
  private final class SecureWrites implements SecureLayer.UserAreaWrites {
    @Override
    public void check(Medium medium, long lba, long blocks) throws CheckCondition {
      long failing = faults.firstWriteError(lba, blocks);
      if (failing >= 0) {
        throw new CheckCondition(mediumError(AdditionalSense.WRITE_ERROR, failing).sense());
      }
    }

    @Override
    public void write(Medium medium, long lba, ByteBuffer data) throws CheckCondition {
      check(medium, lba, data.remaining() / medium.blockSize());
      try {
        writeBlocks(medium, lba, data, true);
      } catch (ScsiError e) {
        throw new CheckCondition(e.sense());
      }
    }
  }

  private int verify(Verify10 cdb, ByteBuffer dataOut) throws ScsiError {
    Medium medium = requireReady();
    if (cdb.byteCheck() != Verify10.BYTCHK_NONE && cdb.byteCheck() != Verify10.BYTCHK_COMPARE) {
      throw ScsiError.invalidField(1, 2);
    }
    int bytes = checkAccess(cdb, medium);
    long failing = faults.firstReadError(cdb.lba(), cdb.blocks());
    if (failing >= 0) {
      throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, failing);
    }
    if (cdb.byteCheck() == Verify10.BYTCHK_COMPARE) {
      if (dataOut.remaining() != bytes) {
        throw ScsiError.invalidField(cdb.lengthFieldOffset());
      }
      ByteBuffer onMedium = ByteBuffer.allocate(bytes);
      try {
        medium.read(cdb.lba(), onMedium);
      } catch (IOException e) {
        throw mediumError(AdditionalSense.UNRECOVERED_READ_ERROR, cdb.lba());
      }
      int mismatch = onMedium.flip().mismatch(dataOut.duplicate());
      if (mismatch >= 0) {
        // SBC-3 5.29: INFORMATION holds the offset of the first byte that did not match.
        throw new ScsiError(
            SenseData.of(SenseKey.MISCOMPARE, AdditionalSense.MISCOMPARE_DURING_VERIFY)
                .withInformation(mismatch));
      }
    }
    service(timing.accessNanos(cdb.lba(), cdb.blocks(), bytes, false));
    return 0;
  }

  private int synchronizeCache(BlockCommand cdb) throws ScsiError {
    Medium medium = requireReady();
    if (cdb.blocks() != 0 || cdb.lba() != 0) {
      checkRange(cdb, medium, Math.max(cdb.blocks(), 1));
    }
    try {
      medium.force();
    } catch (IOException e) {
      log.error("LUN {}: flushing medium {} failed", lun, medium.id(), e);
      throw mediumError(AdditionalSense.WRITE_ERROR, cdb.lba());
    }
    return 0;
  }

  private int eventStatus(NexusState nexus, GetEventStatusNotification cdb, DataIn dataIn)
      throws ScsiError {
    if (!cdb.polled()) {
      throw ScsiError.invalidField(1, 0); // asynchronous notification is not supported
    }
    MediaEventStatus status;
    if ((cdb.notificationClassRequest() & MediaEventStatus.SUPPORTED_CLASSES) == 0) {
      status = MediaEventStatus.none();
    } else {
      MediaEvent event = nexus.mediaEvent;
      nexus.mediaEvent = MediaEvent.NO_CHANGE;
      status =
          new MediaEventStatus(
              false,
              event,
              mechanism.loadedMedium() != null,
              mechanism.state() == DriveState.TRAY_OPEN);
    }
    return respond(dataIn, status.encode(), cdb.allocationLength());
  }

  private int supportedOperationCodes(ReportSupportedOperationCodes cdb, DataIn dataIn)
      throws ScsiError {
    int requested = cdb.requestedOperationCode();
    byte[] data =
        switch (cdb.reportingOptions()) {
          case ReportSupportedOperationCodes.REPORT_ALL ->
              new SupportedOperationCodes.AllCommands(
                      supported.stream()
                          .map(
                              o ->
                                  new SupportedOperationCodes.CommandDescriptor(
                                      o.code(),
                                      o.hasServiceAction() ? o.serviceAction() : 0,
                                      o.hasServiceAction(),
                                      o.cdbLength()))
                          .toList())
                  .encode();
          case ReportSupportedOperationCodes.REPORT_ONE -> {
            if (Opcode.hasServiceAction(requested)) {
              throw ScsiError.invalidField(3); // SPC-4 6.35.1: this opcode needs a service action
            }
            yield oneCommand(requested, Opcode.NO_SERVICE_ACTION);
          }
          case ReportSupportedOperationCodes.REPORT_ONE_WITH_SERVICE_ACTION -> {
            if (!Opcode.hasServiceAction(requested)) {
              throw ScsiError.invalidField(3);
            }
            yield oneCommand(requested, cdb.requestedServiceAction());
          }
          default -> throw ScsiError.invalidField(2, 2);
        };
    return respond(dataIn, data, cdb.allocationLength());
  }

  private byte[] oneCommand(int code, int serviceAction) {
    return Opcode.find(code, serviceAction)
        .filter(supported::contains)
        .map(
            o ->
                new SupportedOperationCodes.OneCommand(
                    SupportedOperationCodes.OneCommand.SUPPORTED, o.usageData()))
        .orElse(
            new SupportedOperationCodes.OneCommand(
                SupportedOperationCodes.OneCommand.NOT_SUPPORTED, new byte[0]))
        .encode();
  }

  private int mediaSerialNumber(ReadMediaSerialNumber cdb, DataIn dataIn) throws ScsiError {
    Medium medium = requireReady();
    return respond(dataIn, new MediaSerialNumber(medium.id()).encode(), cdb.allocationLength());
  }

  // ---------------------------------------------------------------- secure layer

  private int securityIn(NexusState nexus, SecurityProtocolIn cdb, DataIn dataIn) throws ScsiError {
    try {
      secure.checkIn(cdb);
      if (cdb.protocol() == SecurityProtocols.INFORMATION) {
        // The protocol list and the drive's certificate belong to the drive, not the medium:
        // FIG. 14 asks an empty second drive for its certificate.
        return respond(dataIn, secure.in(nexus.session, null, cdb), cdb.allocationLength());
      }
      Medium medium = requireReady();
      secure.checkMedium(medium);
      return respond(dataIn, secure.in(nexus.session, medium, cdb), cdb.allocationLength());
    } catch (CheckCondition e) {
      throw new ScsiError(e.sense());
    }
  }

  private int securityOut(NexusState nexus, SecurityProtocolOut cdb, ByteBuffer dataOut)
      throws ScsiError {
    try {
      secure.checkOut(cdb, dataOut.remaining());
      Medium medium = requireReady();
      secure.checkMedium(medium);
      if (cdb.specific() == Operation.CONVERT_WRITE.code()) {
        // PROTOCOL.md "Scheme 2": converted in place in the data-out buffer (it can be megabytes),
        // then written like a WRITE, with its write faults and its service time.
        SecureLayer.BlockWrite converted = secure.convertWrite(nexus.session, medium, dataOut);
        if (converted.blocks() > 0) {
          long lba = converted.lba();
          try {
            writeBlocks(medium, lba, converted.data(), false);
          } catch (ScsiError e) {
            // As a WRITE's, the blocks before an injected write error are on the medium; a write
            // the medium itself failed (INFORMATION = the first LBA) counts none.
            long failing = faults.firstWriteError(lba, converted.blocks());
            if (failing > lba && e.sense().information() == failing) {
              secure.converted(nexus.session, lba, (int) (failing - lba));
            }
            throw e;
          }
          secure.converted(nexus.session, lba, converted.blocks());
        }
        return 0;
      }
      secure.out(nexus.session, medium, cdb, dataOut);
      return 0;
    } catch (CheckCondition e) {
      throw new ScsiError(e.sense());
    }
  }

  // ---------------------------------------------------------------- checks

  private Medium requireReady() throws ScsiError {
    ScsiError notReady = mechanism.notReady();
    if (notReady != null) {
      throw notReady;
    }
    return mechanism.loadedMedium();
  }

  /** Checks protection, range and transfer size of a block access; returns its byte count. */
  private int checkAccess(BlockCommand cdb, Medium medium) throws ScsiError {
    if (cdb.protect() != 0) {
      throw ScsiError.invalidField(1, 7); // secdrive media carry no protection information
    }
    checkRange(cdb, medium, cdb.blocks());
    long bytes = cdb.blocks() * medium.blockSize();
    if (bytes > MAXIMUM_TRANSFER_BYTES) {
      throw ScsiError.invalidField(cdb.lengthFieldOffset()); // SBC-3 6.5.3 MAXIMUM TRANSFER LENGTH
    }
    return (int) bytes;
  }

  private static void checkRange(BlockCommand cdb, Medium medium, long blocks) throws ScsiError {
    long lba = cdb.lba();
    // lba is unsigned on the wire: a READ(16) LBA with the top bit set is negative here.
    if (lba < 0 || lba >= medium.blockCount() || blocks > medium.blockCount() - lba) {
      throw ScsiError.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LBA_OUT_OF_RANGE);
    }
  }

  private static boolean forceUnitAccess(BlockCommand cdb) {
    return cdb instanceof dev.secdrive.protocol.cdb.Write10 w
        ? w.fua()
        : cdb instanceof dev.secdrive.protocol.cdb.Write16 w16 && w16.fua();
  }

  private static ScsiError mediumError(AdditionalSense sense, long lba) {
    return new ScsiError(SenseData.of(SenseKey.MEDIUM_ERROR, sense).withInformation(lba));
  }

  private static int respond(DataIn dataIn, byte[] data, long allocationLength) {
    int length = (int) Math.min(data.length, allocationLength);
    if (length > 0) {
      dataIn.allocate(length).put(data, 0, length);
    }
    return length;
  }

  private void service(long nanos) {
    serviceNanos += nanos;
  }

  /** Queues this command's service time behind the drive's earlier work; returns the delay. */
  private long complete(long now) {
    if (serviceNanos == 0) {
      return Math.max(0, busyUntil - now);
    }
    long start = Math.max(now, busyUntil);
    busyUntil = start + serviceNanos;
    return busyUntil - now;
  }

  private int currentBlockSize() {
    Medium medium = mechanism.loadedMedium();
    return medium != null ? medium.blockSize() : profile.defaultMedium().blockSize();
  }

  // ---------------------------------------------------------------- nexus state

  /** Per-I_T-nexus state of this logical unit. */
  private static final class NexusState {
    final Deque<SenseData> unitAttentions = new ArrayDeque<>();
    final SecureLayer.Session session;
    boolean prevent;
    MediaEvent mediaEvent = MediaEvent.NO_CHANGE;

    NexusState(SecureLayer.Session session) {
      this.session = session;
      unitAttentions.add(SenseData.of(SenseKey.UNIT_ATTENTION, AdditionalSense.POWER_ON_RESET));
    }

    void unitAttention(AdditionalSense sense) {
      SenseData data = SenseData.of(SenseKey.UNIT_ATTENTION, sense);
      if (!unitAttentions.contains(data)) {
        unitAttentions.add(data);
      }
    }
  }

  private NexusState nexusState(Nexus nexus) {
    return nexuses.computeIfAbsent(nexus, n -> new NexusState(secure.newSession()));
  }

  /** Forgets a nexus; a PREVENT it held ends with it (SPC-4 6.13). */
  public synchronized void disconnect(Nexus nexus) {
    nexuses.remove(nexus);
  }

  private boolean removalPrevented() {
    return nexuses.values().stream().anyMatch(n -> n.prevent);
  }

  private void apply(Mechanism.Effect effect) {
    if (effect != Mechanism.Effect.NONE) {
      for (NexusState nexus : nexuses.values()) {
        // PROTOCOL.md: a medium change closes playback and ends a conversion
        secure.closeAll(nexus.session);
      }
    }
    switch (effect) {
      case MEDIUM_ARRIVED -> {
        timing.mediumChanged();
        for (NexusState nexus : nexuses.values()) {
          nexus.unitAttention(AdditionalSense.MEDIUM_MAY_HAVE_CHANGED);
          nexus.mediaEvent = MediaEvent.NEW_MEDIA;
        }
      }
      case MEDIUM_LEFT -> {
        timing.mediumChanged();
        for (NexusState nexus : nexuses.values()) {
          nexus.mediaEvent = MediaEvent.MEDIA_REMOVAL;
        }
      }
      case NONE -> {}
    }
  }

  // ---------------------------------------------------------------- control

  /**
   * A person puts {@code medium} into the drive. Hosts see UNIT ATTENTION 28/00 and, until the load
   * time has passed, NOT READY 04/01.
   *
   * @throws DriveControlException if the drive holds a medium or does not take this medium type
   */
  public synchronized void insert(Medium medium) {
    String type = medium.metadata().type();
    if (!profile.accepts(type)) {
      throw new DriveControlException(
          "drive "
              + lun
              + " ("
              + profile.id()
              + ") does not take medium type "
              + type
              + "; it takes "
              + String.join(", ", profile.media().stream().map(m -> m.type()).toList()));
    }
    if (medium.blockSize() != profile.medium(type).orElseThrow().blockSize()) {
      throw new DriveControlException(
          "medium "
              + medium.id()
              + " has "
              + medium.blockSize()
              + "-byte blocks; drive "
              + profile.id()
              + " expects "
              + profile.medium(type).orElseThrow().blockSize()
              + " for "
              + type);
    }
    long now = clock.getAsLong();
    mechanism.tick(now);
    apply(mechanism.on(new DriveEvent.Insert(medium), removalPrevented(), now, timing.loadNanos()));
  }

  /**
   * A person takes the medium out.
   *
   * @param force pull it out even though a host prevents removal
   * @return the medium, for the caller to close
   * @throws DriveControlException if there is none, or removal is prevented and not forced
   */
  public synchronized Medium remove(boolean force) {
    long now = clock.getAsLong();
    mechanism.tick(now);
    apply(mechanism.on(new DriveEvent.Remove(force), removalPrevented(), now, timing.loadNanos()));
    return mechanism.takeMedium();
  }

  /** Sets the write-protect tab of the medium in the drive. */
  public synchronized void setWriteProtected(boolean writeProtected) {
    if (!profile.writeProtectSupported()) {
      throw new DriveControlException(
          "drive " + lun + " (" + profile.id() + ") has no write-protect support");
    }
    Medium medium = mechanism.medium();
    if (medium == null) {
      throw new DriveControlException("there is no medium in drive " + lun);
    }
    try {
      medium.setWriteProtected(writeProtected);
    } catch (MediumException e) {
      throw new DriveControlException(e.getMessage());
    }
  }

  /**
   * Destroys the secure area of the medium in the drive, as damage would (all zero).
   *
   * @throws DriveControlException if there is no medium or it has no secure area
   */
  public synchronized void eraseSecureArea() {
    Medium medium = mechanism.medium();
    if (medium == null) {
      throw new DriveControlException("there is no medium in drive " + lun);
    }
    if (medium.metadata().pressed() || medium.metadata().secureAreaBytes() == 0) {
      throw new DriveControlException("medium " + medium.id() + " has no secure area");
    }
    try {
      secure.erase(medium);
    } catch (IOException e) {
      throw new DriveControlException(
          "erasing the secure area of medium " + medium.id() + " failed: " + e);
    }
  }

  /** The medium in the drive (loaded or in the open tray), or null. */
  public synchronized Medium medium() {
    return mechanism.medium();
  }

  public synchronized DriveStatus status() {
    mechanism.tick(clock.getAsLong());
    Medium medium = mechanism.medium();
    return new DriveStatus(
        lun,
        profile.id(),
        deviceId,
        mechanism.state(),
        medium == null ? null : medium.id(),
        medium != null && medium.metadata().readOnly(),
        removalPrevented(),
        commands);
  }

  /** The standard INQUIRY data this drive returns. */
  public StandardInquiryData inquiryData() {
    return inquiry;
  }

  private static DeviceIdentification identification(
      int peripheralDeviceType, String vendor, String product, String deviceId) {
    byte[] t10 = new byte[8 + 16 + deviceId.length()];
    Arrays.fill(t10, (byte) ' ');
    byte[] v = vendor.getBytes(StandardCharsets.US_ASCII);
    byte[] p = product.getBytes(StandardCharsets.US_ASCII);
    byte[] d = deviceId.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(v, 0, t10, 0, v.length);
    System.arraycopy(p, 0, t10, 8, p.length);
    System.arraycopy(d, 0, t10, 24, d.length);
    byte[] eui64;
    try {
      eui64 =
          Arrays.copyOf(
              MessageDigest.getInstance("SHA-256")
                  .digest(("secdrive eui-64 " + deviceId).getBytes(StandardCharsets.US_ASCII)),
              8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return new DeviceIdentification(
        peripheralDeviceType,
        List.of(
            new Designator(
                Designator.CODE_SET_ASCII,
                Designator.ASSOCIATION_LOGICAL_UNIT,
                Designator.TYPE_T10_VENDOR_ID,
                t10),
            new Designator(
                Designator.CODE_SET_BINARY,
                Designator.ASSOCIATION_LOGICAL_UNIT,
                Designator.TYPE_EUI64,
                eui64)));
  }
}
