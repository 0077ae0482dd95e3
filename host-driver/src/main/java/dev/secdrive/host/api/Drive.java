package dev.secdrive.host.api;

import dev.secdrive.host.transport.IscsiTransport;
import dev.secdrive.host.transport.SerialTransport;
import dev.secdrive.host.transport.TcpTransport;
import dev.secdrive.host.transport.Transport;
import dev.secdrive.protocol.cdb.Cdb;
import dev.secdrive.protocol.cdb.GetEventStatusNotification;
import dev.secdrive.protocol.cdb.Inquiry;
import dev.secdrive.protocol.cdb.ModeSelect6;
import dev.secdrive.protocol.cdb.ModeSense6;
import dev.secdrive.protocol.cdb.Opcode;
import dev.secdrive.protocol.cdb.PreventAllowMediumRemoval;
import dev.secdrive.protocol.cdb.ReadCapacity10;
import dev.secdrive.protocol.cdb.ReadCapacity16;
import dev.secdrive.protocol.cdb.ReadMediaSerialNumber;
import dev.secdrive.protocol.cdb.ReportLuns;
import dev.secdrive.protocol.cdb.ReportSupportedOperationCodes;
import dev.secdrive.protocol.cdb.RequestSense;
import dev.secdrive.protocol.cdb.StartStopUnit;
import dev.secdrive.protocol.cdb.SynchronizeCache10;
import dev.secdrive.protocol.cdb.TestUnitReady;
import dev.secdrive.protocol.cdb.Verify10;
import dev.secdrive.protocol.cdb.Write10;
import dev.secdrive.protocol.cdb.Write16;
import dev.secdrive.protocol.data.BlockLimits;
import dev.secdrive.protocol.data.DeviceIdentification;
import dev.secdrive.protocol.data.LunList;
import dev.secdrive.protocol.data.MediaEventStatus;
import dev.secdrive.protocol.data.MediaSerialNumber;
import dev.secdrive.protocol.data.ModeParameters6;
import dev.secdrive.protocol.data.ReadCapacity10Data;
import dev.secdrive.protocol.data.ReadCapacity16Data;
import dev.secdrive.protocol.data.StandardInquiryData;
import dev.secdrive.protocol.data.SupportedOperationCodes;
import dev.secdrive.protocol.data.SupportedVpdPages;
import dev.secdrive.protocol.data.UnitSerialNumber;
import dev.secdrive.protocol.frame.Frame;
import dev.secdrive.protocol.frame.StatusFrame;
import dev.secdrive.protocol.sense.ScsiStatus;
import dev.secdrive.protocol.sense.SenseData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A drive, as a host application sees it. Every command exists in a blocking form and, for the data
 * commands, an asynchronous one; many commands may be in flight at once.
 *
 * <pre>{@code
 * try (Drive drive = Drive.open("tcp://127.0.0.1:7140/0")) {
 *   System.out.println(drive.inquiry().product() + " holds " + drive.mediumId());
 *   drive.write(0, new byte[drive.capacity().blockSize()]);
 * }
 * }</pre>
 *
 * <p>Opening a drive starts a new I_T nexus, which the device greets with a power-on unit
 * attention; {@link #open} consumes it, as an operating system's bus scan does. Later unit
 * attentions (a medium change) reach the caller as {@link ScsiException}.
 *
 * <p>Thread-safe.
 */
public final class Drive implements AutoCloseable {

  /**
   * Largest data phase of one command; longer reads and writes are split. On iSCSI a command may
   * carry up to 2^32 bytes, so this limit is the one that applies there too; the transport cuts
   * each command into PDUs and bursts of what the target negotiated.
   */
  public static final int MAXIMUM_TRANSFER_BYTES = Frame.DEFAULT_MAXIMUM_DATA_LENGTH;

  private static final int POWER_ON_RESET_ASC = 0x29;
  private static final int CACHING_PAGE = 0x08;
  private static final int WCE = 0x04;
  private static final int VPD_ALLOCATION = 1024;

  private final Transport transport;
  private final DriveUri uri;
  private final Secure secure = new Secure(this);
  private final CdAudio cdAudio = new CdAudio(this);
  private volatile Capacity capacity;

  /** The device's MAXIMUM TRANSFER LENGTH in blocks once asked for, 0 when it reports none. */
  private final AtomicReference<CompletableFuture<Long>> deviceTransferLimit =
      new AtomicReference<>();

  private volatile boolean prevented;

  private Drive(Transport transport, DriveUri uri) {
    this.transport = transport;
    this.uri = uri;
  }

  /**
   * Opens the drive at {@code uri}, e.g. {@code tcp://127.0.0.1:7140/0} or {@code
   * iscsi://127.0.0.1:3260/iqn.2026-12.dev.secdrive:emulator/0}.
   *
   * @throws IllegalArgumentException if the URI is malformed
   * @throws TransportException if the device cannot be reached
   */
  public static Drive open(String uri) {
    return open(DriveUri.parse(uri));
  }

  public static Drive open(DriveUri uri) {
    return open(uri, null);
  }

  /**
   * Opens the drive at {@code uri}, its command timeouts (the URI's {@code timeout}) counted on
   * {@code timeouts} instead of the transport's own timer: a test's manual scheduler times commands
   * out when the test moves its clock, not after a wall-clock wait. Null means the transport's
   * timer.
   */
  public static Drive open(DriveUri uri, ScheduledExecutorService timeouts) {
    Transport transport;
    Duration connectTimeout =
        uri.timeout().compareTo(Duration.ofSeconds(10)) < 0
            ? uri.timeout()
            : Duration.ofSeconds(10);
    if (uri.isSerial()) {
      transport = SerialTransport.open(uri.device(), uri.baud(), uri.paced(), timeouts);
    } else if (uri.isIscsi()) {
      transport = IscsiTransport.connect(uri, connectTimeout, timeouts);
    } else {
      transport = TcpTransport.connect(uri.host(), uri.port(), connectTimeout, timeouts);
    }
    Drive drive = new Drive(transport, uri);
    try {
      drive.clearPowerOnAttention();
    } catch (RuntimeException e) {
      drive.close();
      throw e;
    }
    return drive;
  }

  private void clearPowerOnAttention() {
    for (int attempt = 0; attempt < 4; attempt++) {
      try {
        testUnitReady();
        return;
      } catch (ScsiException e) {
        if (!e.isUnitAttention() || e.sense().asc() != POWER_ON_RESET_ASC) {
          return; // not ready, or anything else: the caller will meet it on its own commands
        }
      }
    }
  }

  public DriveUri uri() {
    return uri;
  }

  /** The carrier under this drive, for its counters (e.g. {@link SerialTransport#stats()}). */
  public Transport transport() {
    return transport;
  }

  // ---------------------------------------------------------------- identity

  /** Standard INQUIRY data: vendor, product, revision, device type, removable bit. */
  public StandardInquiryData inquiry() {
    return await(
        execute(
            Inquiry.standard(96), StandardInquiryData.LENGTH + 60, StandardInquiryData::decode));
  }

  /** The vital product data pages the drive supports (VPD 00h). */
  public List<Integer> vpdPages() {
    return vpd(SupportedVpdPages.PAGE_CODE, SupportedVpdPages::decode).pages();
  }

  /** The drive's device ID: its unit serial number (VPD 80h). */
  public String deviceId() {
    return vpd(UnitSerialNumber.PAGE_CODE, UnitSerialNumber::decode).serialNumber();
  }

  /** Device identification descriptors (VPD 83h). */
  public DeviceIdentification deviceIdentification() {
    return vpd(DeviceIdentification.PAGE_CODE, DeviceIdentification::decode);
  }

  /** Block limits (VPD B0h). */
  public BlockLimits blockLimits() {
    return vpd(BlockLimits.PAGE_CODE, BlockLimits::decode);
  }

  private <T> T vpd(int page, Function<byte[], T> decoder) {
    return await(execute(Inquiry.vpd(page, VPD_ALLOCATION), VPD_ALLOCATION, decoder));
  }

  /** The logical units behind this drive's endpoint (REPORT LUNS). */
  public List<Integer> reportLuns() {
    return await(execute(new ReportLuns(4096), 4096, LunList::decode)).luns();
  }

  /** The commands the drive implements (REPORT SUPPORTED OPERATION CODES). */
  public List<Opcode> supportedCommands() {
    return await(
            execute(
                ReportSupportedOperationCodes.all(4096),
                4096,
                SupportedOperationCodes.AllCommands::decode))
        .commands()
        .stream()
        .flatMap(
            d ->
                Opcode.find(
                    d.operationCode(),
                    d.serviceActionValid() ? d.serviceAction() : Opcode.NO_SERVICE_ACTION)
                    .stream())
        .toList();
  }

  // ---------------------------------------------------------------- state

  /**
   * TEST UNIT READY.
   *
   * @throws ScsiException NOT READY when there is no medium or it is spinning up
   */
  public void testUnitReady() {
    await(execute(new TestUnitReady(), 0, data -> null));
  }

  /** REQUEST SENSE: a pending unit attention, else the not-ready condition, else NO SENSE. */
  public SenseData requestSense() {
    return await(execute(new RequestSense(false, 252, 0), 252, SenseData::decode));
  }

  /** The medium ID from the medium's ID area (READ MEDIA SERIAL NUMBER). */
  public String mediumId() {
    return await(execute(new ReadMediaSerialNumber(256), 256, MediaSerialNumber::decode))
        .serialNumber();
  }

  /** Mode parameters (MODE SENSE(6), all pages). */
  public ModeParameters6 modeSense() {
    return await(
        execute(
            new ModeSense6(false, ModeSense6.PAGE_CONTROL_CURRENT, ModeSense6.ALL_PAGES, 0, 255, 0),
            255,
            ModeParameters6::decode));
  }

  /** Whether the medium is write-protected (the WP bit of MODE SENSE). */
  public boolean writeProtected() {
    return modeSense().writeProtected();
  }

  /** Whether the drive's write cache is enabled: WCE of the Caching mode page (SBC-3 6.4.5). */
  public boolean writeCache() {
    byte[] list = cachingPage();
    return (list[cachingPageAt(list) + 2] & WCE) != 0;
  }

  /**
   * Enables or disables the drive's write cache: MODE SELECT(6) of the Caching page with WCE
   * changed and every other field as MODE SENSE gave it. With the cache disabled every write is on
   * the medium when it completes, as with FUA; the other hosts of the drive hear MODE PARAMETERS
   * CHANGED. A logical unit reset enables it again.
   *
   * @throws ScsiException ILLEGAL REQUEST when the drive does not let WCE change (a read-only
   *     drive)
   */
  public void writeCache(boolean enabled) {
    byte[] list = cachingPage();
    int page = cachingPageAt(list);
    // MODE DATA LENGTH and the device-specific parameter are reserved in MODE SELECT (SPC-4 7.5.4)
    list[0] = 0;
    list[2] = 0;
    list[page] &= 0x3F; // PS is reserved in MODE SELECT
    list[page + 2] = (byte) (enabled ? list[page + 2] | WCE : list[page + 2] & ~WCE);
    await(send(new ModeSelect6(list.length), list));
  }

  /** Where the Caching page starts in a mode parameter list (6): after any block descriptors. */
  private static int cachingPageAt(byte[] list) {
    return ModeParameters6.HEADER_LENGTH + (list[3] & 0xFF);
  }

  /**
   * MODE SENSE(6) of the Caching page: the header, the block descriptors a device sends despite
   * DBD, and the page, cut to its PAGE LENGTH, ready to go back in MODE SELECT.
   */
  private byte[] cachingPage() {
    byte[] data =
        await(
            execute(
                new ModeSense6(true, ModeSense6.PAGE_CONTROL_CURRENT, CACHING_PAGE, 0, 255, 0),
                255,
                bytes -> bytes));
    int end = data.length < 1 ? 0 : Math.min(data.length, (data[0] & 0xFF) + 1);
    int page = end < ModeParameters6.HEADER_LENGTH ? end : cachingPageAt(data);
    if (end < page + 3
        || (data[page] & 0x3F) != CACHING_PAGE
        || end < page + 2 + (data[page + 1] & 0xFF)) {
      throw new TransportException(
          "device sent no whole Caching mode page (08h) for MODE SENSE(6) of it, but "
              + HexFormat.of().formatHex(data));
    }
    return Arrays.copyOf(data, page + 2 + (data[page + 1] & 0xFF));
  }

  /** Polls the media event class (GET EVENT STATUS NOTIFICATION). */
  public MediaEventStatus mediaEvent() {
    return await(execute(GetEventStatusNotification.media(8), 8, MediaEventStatus::decode));
  }

  /** The medium's size (READ CAPACITY(10), or (16) when the medium is too large for it). */
  public Capacity capacity() {
    return await(capacityAsync());
  }

  public CompletableFuture<Capacity> capacityAsync() {
    return execute(new ReadCapacity10(), ReadCapacity10Data.LENGTH, ReadCapacity10Data::decode)
        .thenCompose(
            short10 ->
                short10.returnedLba() == ReadCapacity10Data.LBA_TOO_LARGE
                    ? execute(
                            new ReadCapacity16(ReadCapacity16Data.LENGTH),
                            ReadCapacity16Data.LENGTH,
                            ReadCapacity16Data::decode)
                        .thenApply(c -> new Capacity(c.returnedLba(), (int) c.blockLength()))
                    : CompletableFuture.completedFuture(
                        new Capacity(short10.returnedLba(), (int) short10.blockLength())))
        .thenApply(
            c -> {
              if (c.blockSize() < 1 || c.blockSize() > MAXIMUM_TRANSFER_BYTES) {
                throw new DriveException(
                    "the drive reports a block size of "
                        + Integer.toUnsignedString(c.blockSize())
                        + " bytes, outside 1.."
                        + MAXIMUM_TRANSFER_BYTES);
              }
              capacity = c;
              return c;
            });
  }

  // ---------------------------------------------------------------- data

  /** Reads {@code blocks} blocks from {@code lba}. */
  public byte[] read(long lba, int blocks) {
    return await(readAsync(lba, blocks));
  }

  public CompletableFuture<byte[]> readAsync(long lba, int blocks) {
    Transfers.checkBlocks(lba, blocks);
    return blockSize()
        .thenCompose(
            blockSize ->
                chunkBlocks(blockSize)
                    .thenCompose(
                        chunk -> Transfers.read(this::readCommand, lba, blocks, blockSize, chunk)));
  }

  /**
   * Reads at most {@link #MAXIMUM_TRANSFER_BYTES} into a buffer without copying it, in one command;
   * the caller releases the buffer. Unlike {@link #read}, it is not split: a caller that talks to
   * devices other than secdrive's keeps it within their {@link #blockLimits()}.
   */
  public CompletableFuture<ByteBuf> readBuffer(long lba, int blocks, int blockSize) {
    Transfers.checkBlocks(lba, blocks);
    if ((long) blocks * blockSize > MAXIMUM_TRANSFER_BYTES) {
      throw new IllegalArgumentException(
          "readBuffer transfers at most " + MAXIMUM_TRANSFER_BYTES + " bytes");
    }
    return readCommand(lba, blocks, blockSize);
  }

  private CompletableFuture<ByteBuf> readCommand(long lba, int blocks, int blockSize) {
    return Transfers.readCommand(this::submit, lba, blocks, blockSize);
  }

  /** Writes {@code data}, a whole number of blocks, from {@code lba}. */
  public void write(long lba, byte[] data) {
    await(writeAsync(lba, data));
  }

  public CompletableFuture<Void> writeAsync(long lba, byte[] data) {
    return blockSize()
        .thenCompose(
            blockSize ->
                chunkBlocks(blockSize)
                    .thenCompose(
                        chunk ->
                            Transfers.sendBlocks(
                                this::submit,
                                "write",
                                lba,
                                data,
                                blockSize,
                                chunk,
                                (at, count) ->
                                    Transfers.fits10(at, count)
                                        ? new Write10(at, count)
                                        : new Write16(at, count))));
  }

  /**
   * Writes {@code data} (whole blocks of {@code blockSize} bytes, at most {@link
   * #MAXIMUM_TRANSFER_BYTES}) from {@code lba} as one command, without copying it: a copy between
   * two drives hands a READ's buffer straight to the WRITE. Takes ownership of {@code data}. One
   * command, not split at the device's MAXIMUM TRANSFER LENGTH, as {@link #readBuffer}.
   */
  public CompletableFuture<Void> writeBuffer(long lba, ByteBuf data, int blockSize) {
    int length = data.readableBytes();
    if (length % blockSize != 0 || length > MAXIMUM_TRANSFER_BYTES) {
      data.release();
      throw new IllegalArgumentException(
          "writeBuffer takes whole "
              + blockSize
              + "-byte blocks, at most "
              + MAXIMUM_TRANSFER_BYTES
              + " bytes, not "
              + length);
    }
    int blocks = length / blockSize;
    try {
      Transfers.checkBlocks(lba, blocks);
    } catch (IllegalArgumentException e) {
      data.release();
      throw e;
    }
    Cdb cdb = Transfers.fits10(lba, blocks) ? new Write10(lba, blocks) : new Write16(lba, blocks);
    return submit(cdb, 0, data).thenAccept(ByteBuf::release);
  }

  /** VERIFY(10) without data: the drive checks that the blocks are readable. */
  public void verify(long lba, int blocks) {
    await(execute(new Verify10(lba, blocks, Verify10.BYTCHK_NONE), 0, d -> null));
  }

  /**
   * VERIFY(10) with BYTCHK=01b: the drive compares {@code data} with the medium.
   *
   * @throws ScsiException MISCOMPARE (0E/1D/00) with the offset of the first differing byte
   */
  public void verify(long lba, byte[] data) {
    int blockSize = await(blockSize());
    // VERIFY(10) counts blocks in 16 bits; its data-out is bounded like any transfer.
    int chunk = Math.min(0xFFFF, await(chunkBlocks(blockSize)));
    await(
        Transfers.sendBlocks(
            this::submit,
            "verify",
            lba,
            data,
            blockSize,
            chunk,
            (at, count) -> new Verify10(at, count, Verify10.BYTCHK_COMPARE)));
  }

  /** SYNCHRONIZE CACHE(10) over the whole medium. */
  public void synchronizeCache() {
    await(execute(new SynchronizeCache10(), 0, d -> null));
  }

  // ---------------------------------------------------------------- medium handling

  /**
   * Loads the medium (START STOP UNIT, LOEJ and START). The drive sends no unit attention about a
   * load to the connection that asked for it (SPC-4 5.14), so the cached capacity is dropped here.
   */
  public void load() {
    capacity = null;
    await(execute(StartStopUnit.load(), 0, d -> null));
  }

  /**
   * Ejects the medium (START STOP UNIT, LOEJ).
   *
   * @throws ScsiException MEDIUM REMOVAL PREVENTED if a host prevents it
   */
  public void eject() {
    await(execute(StartStopUnit.eject(), 0, d -> null));
  }

  /** Spins the medium up (START STOP UNIT, START). */
  public void start() {
    await(execute(StartStopUnit.spin(true), 0, d -> null));
  }

  /** Stops the medium (START STOP UNIT, neither START nor LOEJ). */
  public void stop() {
    await(execute(StartStopUnit.spin(false), 0, d -> null));
  }

  /** Prevents medium removal until {@link #allowRemoval} or {@link #close}. */
  public void preventRemoval() {
    await(execute(PreventAllowMediumRemoval.of(true), 0, d -> null));
    prevented = true;
  }

  public void allowRemoval() {
    await(execute(PreventAllowMediumRemoval.of(false), 0, d -> null));
    prevented = false;
  }

  // ---------------------------------------------------------------- secure layer

  /**
   * The drive's secure layer (SECURITY PROTOCOL IN/OUT): certificate, challenges, licenses,
   * playback, backup and restore.
   */
  public Secure secure() {
    return secure;
  }

  /**
   * The drive's CD commands (MMC-6): the TOC, CD-DA sectors with READ CD and READ CD MSF, the Q
   * sub-channel, the media catalog number and ISRCs.
   */
  public CdAudio cdAudio() {
    return cdAudio;
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * Sends any CDB and decodes its data-in with {@code decoder} (which gets a copy of the bytes).
   * For commands without a typed method here.
   */
  public <T> CompletableFuture<T> execute(
      Cdb cdb, long expectedDataIn, Function<byte[], T> decoder) {
    return submit(cdb, expectedDataIn, null)
        .thenApply(
            data -> {
              try {
                return decoder.apply(ByteBufUtil.getBytes(data));
              } finally {
                data.release();
              }
            });
  }

  /**
   * Sends any CDB with {@code dataOut} as its data-out (a parameter list); completes when the
   * device answers GOOD.
   */
  public CompletableFuture<Void> send(Cdb cdb, byte[] dataOut) {
    return submit(cdb, 0, Unpooled.wrappedBuffer(dataOut)).thenAccept(ByteBuf::release);
  }

  /**
   * As {@link #send(Cdb, byte[])} with a buffer the transport takes ownership of, so a large
   * parameter list (a header and megabytes of data, e.g. a composite buffer) is never copied here.
   */
  public CompletableFuture<Void> send(Cdb cdb, ByteBuf dataOut) {
    return submit(cdb, 0, dataOut).thenAccept(ByteBuf::release);
  }

  /** Sends a CDB; completes with the data-in buffer (caller releases) or a DriveException. */
  CompletableFuture<ByteBuf> submit(Cdb cdb, long expectedDataIn, ByteBuf dataOut) {
    String description = cdb.describe();
    int opcode = cdb.encode()[0] & 0xFF;
    return transport
        .submit(uri.lun(), cdb.encode(), expectedDataIn, dataOut, description, uri.timeout())
        .thenApply(status -> check(status, description, opcode));
  }

  /**
   * The commands of secdrive's secure layer and medium ID (SECURITY PROTOCOL IN/OUT, READ MEDIA
   * SERIAL NUMBER), which a standard disk does not implement.
   */
  private static final java.util.Set<Integer> SECURE_OPCODES = java.util.Set.of(0xA2, 0xB5, 0xAB);

  private static final int INVALID_COMMAND_OPERATION_CODE = 0x20;

  private ByteBuf check(StatusFrame status, String description, int opcode) {
    if (status.status() == ScsiStatus.GOOD) {
      return status.dataIn();
    }
    status.release();
    SenseData sense = null;
    byte[] bytes = status.sense();
    if (bytes.length > 0) {
      try {
        sense = SenseData.decode(bytes);
      } catch (IllegalArgumentException e) {
        throw new TransportException(
            "device sent unreadable sense data for " + description + ": " + e.getMessage());
      }
    }
    ScsiException error = new ScsiException(status.status(), sense, description);
    if (error.isUnitAttention()) {
      capacity = null; // the medium may have changed
      deviceTransferLimit.set(null); // and with it the limit in blocks
    }
    if (sense != null
        && SECURE_OPCODES.contains(opcode)
        && sense.key() == dev.secdrive.protocol.sense.SenseKey.ILLEGAL_REQUEST
        && sense.asc() == INVALID_COMMAND_OPERATION_CODE) {
      // A standard target (tgt, a disk) without secdrive's vendor layer: say so, not just 05/20/00.
      throw error.withDetail(
          "the drive at " + uri + " does not implement secdrive's secure command set");
    }
    throw error;
  }

  /**
   * The most blocks one READ, WRITE or VERIFY of {@link #read}, {@link #write} and {@link #verify}
   * moves: {@link #MAXIMUM_TRANSFER_BYTES}, or fewer when the device's Block Limits page (SBC-3
   * 6.5.3) gives a smaller MAXIMUM TRANSFER LENGTH. A device without the page sets no limit.
   */
  private CompletableFuture<Integer> chunkBlocks(int blockSize) {
    int own = MAXIMUM_TRANSFER_BYTES / blockSize;
    return deviceTransferLimit()
        .thenApply(limit -> limit > 0 && limit < own ? (int) (long) limit : own);
  }

  private CompletableFuture<Long> deviceTransferLimit() {
    CompletableFuture<Long> promise = new CompletableFuture<>();
    CompletableFuture<Long> known;
    while ((known = deviceTransferLimit.get()) == null) {
      if (deviceTransferLimit.compareAndSet(null, promise)) {
        break; // this call asks; a concurrent one waits on the same promise
      }
    }
    if (known != null) {
      return known;
    }
    execute(
            Inquiry.vpd(SupportedVpdPages.PAGE_CODE, VPD_ALLOCATION),
            VPD_ALLOCATION,
            SupportedVpdPages::decode)
        .thenCompose(
            supported ->
                supported.pages().contains(BlockLimits.PAGE_CODE)
                    ? execute(
                            Inquiry.vpd(BlockLimits.PAGE_CODE, VPD_ALLOCATION),
                            VPD_ALLOCATION,
                            BlockLimits::decode)
                        .thenApply(BlockLimits::maximumTransferLength)
                    : CompletableFuture.completedFuture(0L))
        .whenComplete(
            (limit, failure) -> {
              Throwable cause = failure;
              while (cause instanceof java.util.concurrent.CompletionException
                  && cause.getCause() != null) {
                cause = cause.getCause();
              }
              if (failure == null) {
                promise.complete(limit);
              } else if (cause instanceof ScsiException
                  || cause instanceof IllegalArgumentException) {
                // a device that refuses or garbles the VPD pages (an old SCSI-2 device, a bridge)
                // reports no limit: the driver's own bound applies, and it is not asked again
                promise.complete(0L);
              } else {
                deviceTransferLimit.compareAndSet(promise, null); // asked again next time
                promise.completeExceptionally(cause);
              }
            });
    return promise;
  }

  private CompletableFuture<Integer> blockSize() {
    Capacity known = capacity;
    return known != null
        ? CompletableFuture.completedFuture(known.blockSize())
        : capacityAsync().thenApply(Capacity::blockSize);
  }

  /** Waits for an asynchronous result and rethrows its failure as it was raised. */
  <T> T await(CompletableFuture<T> future) {
    if (!future.isDone() && transport.isIoThread()) {
      throw new IllegalStateException(
          "a blocking Drive call on the driver's I/O thread (inside a callback of an async call)"
              + " would wait for itself: use the async methods there, or thenApplyAsync");
    }
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new DriveException(String.valueOf(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriveException("interrupted while waiting for the drive", e);
    }
  }

  /**
   * Closes the drive. A PREVENT this drive set is lifted first: on TCP the connection's end would
   * do it, but a serial line stays one I_T nexus after the host goes.
   */
  @Override
  public void close() {
    try {
      if (prevented && transport.isOpen()) {
        allowRemoval();
      }
    } catch (DriveException e) {
      // closing anyway; the device lifts it when the nexus ends
    } finally {
      transport.close();
    }
  }

  @Override
  public String toString() {
    return "Drive[" + uri + "]";
  }
}
