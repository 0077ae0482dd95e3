package dev.secdrive.emulator;

import dev.secdrive.emulator.control.ControlServer;
import dev.secdrive.emulator.control.ControlToken;
import dev.secdrive.emulator.endpoint.Endpoint;
import dev.secdrive.emulator.endpoint.serial.SerialEndpoint;
import dev.secdrive.emulator.endpoint.tcp.TcpEndpoint;
import dev.secdrive.emulator.faults.FaultScript;
import dev.secdrive.emulator.firmware.DriveControlException;
import dev.secdrive.emulator.firmware.DriveStatus;
import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.observe.CommandLog;
import dev.secdrive.emulator.observe.Instruments;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveFiles;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.frame.Frame;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running emulator: drives as LUNs of one target, served on its endpoints (TCP listeners, serial
 * ports), with an optional HTTP control API. The methods {@link #insert}, {@link #remove}, {@link
 * #setWriteProtected} are the control API for in-process test harnesses; they may be called while
 * hosts are connected.
 */
public final class Emulator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Emulator.class);

  private final MediumStore media;
  private final Target target;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final List<Endpoint> endpoints;
  private final ControlServer control;
  private final List<FileChannel> driveLocks = new ArrayList<>();
  private boolean closed;
  private volatile boolean powerLost;

  /**
   * Where the media of {@code mediaDirectory} anchor their secure-area write counters: {@code
   * <anchor dir>/media/<16 hex digits of the SHA-256 of the media directory's real path>}, so that
   * two media directories with a medium of the same ID do not share an anchor.
   */
  static Path mediaCounterAnchors(Path anchorDirectory, Path mediaDirectory) {
    Path real;
    try {
      real = mediaDirectory.toRealPath();
    } catch (java.io.IOException e) {
      real = mediaDirectory.toAbsolutePath().normalize();
    }
    byte[] digest;
    try {
      digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(real.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return anchorDirectory
        .resolve("media")
        .resolve(java.util.HexFormat.of().formatHex(digest, 0, 8));
  }

  /** Where the secure layer's files live inside a media directory. */
  public static final String SECURE_DIRECTORY = ".secdrive";

  private Emulator(Builder builder) {
    this.media =
        MediumStore.open(builder.mediaDirectory)
            .anchoringCounters(
                mediaCounterAnchors(builder.anchorDirectory, builder.mediaDirectory));
    List<Firmware> drives = new ArrayList<>();
    Set<String> deviceIds = new HashSet<>();
    try {
      for (DriveConfig config : builder.drives) {
        DriveProfile profile = builder.profiles.get(config.profile());
        DriveFiles files = driveFiles(builder.mediaDirectory, builder.anchorDirectory, config);
        String deviceId = files.deviceId();
        if (!deviceIds.add(deviceId)) {
          // Two drives with one device ID would share keys and overwrite each other's counter
          // and anti-rollback record.
          throw new IllegalArgumentException(
              "device ID " + deviceId + " is given to more than one drive");
        }
        if (builder.enrolment != null && !files.enrolled()) {
          files.enrol(builder.enrolment, false);
        }
        String enrol = enrolCommand(builder, config);
        files.requireEnrolled(enrol);
        driveLocks.add(files.lock());
        DriveFiles.Loaded loaded = files.load(enrol);
        driveLocks.add(loaded.anchorLock());
        Firmware drive =
            new Firmware(
                config.lun(),
                profile,
                deviceId,
                builder.timing,
                builder.clock,
                loaded.keys(),
                loaded.nv());
        drive.onPowerLoss(this::powerLoss);
        drive.secure().wallClock(builder.wallClock);
        drives.add(drive);
      }
    } catch (RuntimeException e) {
      releaseDriveLocks();
      throw e;
    }
    Instruments instruments = new Instruments(builder.clock);
    instruments.setDefaultLevel(builder.commandLog);
    for (DriveConfig config : builder.drives) {
      if (config.commandLog() != null) {
        instruments.setLevel(config.lun(), config.commandLog());
      }
    }
    this.target = new Target(drives, instruments);
    if (builder.capture != null) {
      try {
        target.captures().start(builder.capture);
      } catch (RuntimeException e) {
        releaseDriveLocks();
        throw e;
      }
    }
    if (builder.faultScript != null) {
      try {
        target.arm(builder.faultScript);
      } catch (RuntimeException e) {
        target.captures().stop();
        releaseDriveLocks();
        throw e;
      }
      log.info(
          "fault script armed: {} faults, seed {}",
          builder.faultScript.faults().size(),
          builder.faultScript.seed());
    }
    EventLoopGroup bossGroup = null;
    EventLoopGroup workerGroup = null;
    List<Endpoint> started = new ArrayList<>();
    ControlServer controlServer = null;
    try {
      for (DriveConfig config : builder.drives) {
        if (config.medium() != null) {
          insert(config.lun(), config.medium());
        }
      }
      bossGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      workerGroup = new MultiThreadIoEventLoopGroup(builder.ioThreads, NioIoHandler.newFactory());
      Endpoint.Context context =
          new Endpoint.Context(
              bossGroup,
              workerGroup,
              builder.maximumDataLength,
              builder.timing,
              builder.answerDelays);
      for (Endpoint endpoint : builder.endpoints) {
        endpoint.start(target, context);
        started.add(endpoint);
      }
      if (builder.controlAddress != null) {
        controlServer =
            ControlServer.start(
                this,
                builder.controlAddress,
                ControlToken.defaultFile(builder.mediaDirectory),
                builder.remoteControl);
      }
    } catch (RuntimeException e) {
      started.forEach(Endpoint::close);
      shutdown(bossGroup, workerGroup);
      target.captures().stop();
      closeMedia();
      releaseDriveLocks();
      throw e;
    }
    this.boss = bossGroup;
    this.workers = workerGroup;
    this.endpoints = List.copyOf(started);
    this.control = controlServer;
    log.info(
        "serving {} drive(s) on {}",
        drives.size(),
        String.join(", ", endpoints.stream().map(Endpoint::description).toList()));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The address of the first TCP endpoint, with the port actually bound.
   *
   * @throws IllegalStateException if this emulator serves on no TCP endpoint
   */
  public InetSocketAddress address() {
    return endpoints(TcpEndpoint.class).stream()
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no TCP endpoint"))
        .address();
  }

  /** The endpoints this emulator serves on, in the order configured. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /** The endpoints of one kind, e.g. {@code SerialEndpoint.class}, in the order configured. */
  public <T extends Endpoint> List<T> endpoints(Class<T> kind) {
    return endpoints.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  /** The HTTP control API's address, if one was started. */
  public Optional<InetSocketAddress> controlAddress() {
    return Optional.ofNullable(control).map(ControlServer::address);
  }

  /** The token the HTTP control API asks for, if one was started. */
  public Optional<ControlToken> controlToken() {
    return Optional.ofNullable(control).map(ControlServer::token);
  }

  public Target target() {
    return target;
  }

  public MediumStore media() {
    return media;
  }

  /** The drive on {@code lun}. */
  public Firmware drive(int lun) {
    Firmware drive = target.unit(lun);
    if (drive == null) {
      throw new DriveControlException(
          "no drive on LUN " + lun + " (drives: " + target.units().keySet() + ")");
    }
    return drive;
  }

  public List<DriveStatus> status() {
    return target.units().values().stream().map(Firmware::status).toList();
  }

  /** Puts medium {@code mediumId} from the media directory into the drive on {@code lun}. */
  public synchronized DriveStatus insert(int lun, String mediumId) {
    Firmware drive = drive(lun);
    for (Firmware other : target.units().values()) {
      Medium held = other.medium();
      if (held != null && held.id().equals(mediumId)) {
        throw new DriveControlException(
            "medium " + mediumId + " is already in drive " + other.lun());
      }
    }
    Medium medium = media.open(mediumId);
    try {
      drive.insert(medium);
    } catch (RuntimeException e) {
      closeQuietly(medium);
      throw e;
    }
    return drive.status();
  }

  /** Takes the medium out of the drive on {@code lun}; {@code force} overrides PREVENT. */
  public synchronized DriveStatus remove(int lun, boolean force) {
    Firmware drive = drive(lun);
    closeQuietly(drive.remove(force));
    return drive.status();
  }

  /** Sets the write-protect tab of the medium in the drive on {@code lun}. */
  public synchronized DriveStatus setWriteProtected(int lun, boolean writeProtected) {
    Firmware drive = drive(lun);
    drive.setWriteProtected(writeProtected);
    return drive.status();
  }

  /** Whether an injected power loss has stopped this emulator. */
  public boolean powerLost() {
    return powerLost;
  }

  /**
   * An injected power loss: every drive is already refusing to answer; stop serving on another
   * thread (the caller may be an event-loop thread that the shutdown waits for). Nothing is
   * written: medium files are only closed, which releases their locks.
   */
  private void powerLoss() {
    if (powerLost) {
      return;
    }
    powerLost = true;
    log.warn("power loss: the emulator stops serving");
    Thread stopper = new Thread(this::close, "secdrive-power-loss");
    stopper.setDaemon(true);
    stopper.start();
  }

  /** Ends every reservation of drive {@code lun} (the control API's {@code reservations/clear}). */
  public synchronized DriveStatus clearReservations(int lun) {
    Firmware drive = drive(lun);
    drive.clearReservations();
    log.info("LUN {}: reservations cleared by the operator", lun);
    return drive.status();
  }

  /** Erases the secure area of the medium in the drive on {@code lun} (as damage would). */
  public synchronized DriveStatus eraseSecureArea(int lun) {
    Firmware drive = drive(lun);
    drive.eraseSecureArea();
    return drive.status();
  }

  /** Stops serving and closes the media; safe to call more than once, and after a power loss. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (control != null) {
      control.close();
    }
    endpoints.forEach(Endpoint::close);
    shutdown(boss, workers);
    target.captures().stop();
    closeMedia();
    releaseDriveLocks();
  }

  private void releaseDriveLocks() {
    for (FileChannel lock : driveLocks) {
      closeQuietly(lock); // closing the channel releases its lock
    }
    driveLocks.clear();
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      log.warn("closing a drive lock failed", e);
    }
  }

  private void closeMedia() {
    for (Firmware drive : target.units().values()) {
      Medium medium = drive.medium();
      if (medium != null) {
        closeQuietly(medium);
      }
    }
  }

  private static void shutdown(EventLoopGroup... groups) {
    for (EventLoopGroup group : groups) {
      if (group != null) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }

  private static void closeQuietly(Medium medium) {
    try {
      medium.close();
    } catch (IOException e) {
      log.warn("closing medium {} failed", medium.id(), e);
    }
  }

  /**
   * The device ID of {@code drive} in {@code mediaDirectory}: the one it names, or one derived from
   * the media directory and LUN, which stays the same across restarts of the same setup.
   */
  public static String deviceId(Path mediaDirectory, DriveConfig drive) {
    if (drive.deviceId() != null) {
      return drive.deviceId();
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  (mediaDirectory.toAbsolutePath().normalize() + "\0" + drive.lun())
                      .getBytes(StandardCharsets.UTF_8));
      return "SDD" + HexFormat.of().withUpperCase().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The files of {@code drive} in {@code mediaDirectory}, its anchor in {@code anchorDirectory}.
   */
  public static DriveFiles driveFiles(
      Path mediaDirectory, Path anchorDirectory, DriveConfig drive) {
    return DriveFiles.of(
        mediaDirectory.resolve(SECURE_DIRECTORY), anchorDirectory, deviceId(mediaDirectory, drive));
  }

  /** The {@code secdrive authority enrol} command line that enrols {@code drive}. */
  private static String enrolCommand(Builder builder, DriveConfig drive) {
    return "secdrive authority enrol --media-dir "
        + builder.mediaDirectory
        + " --authority FILE --drive lun="
        + drive.lun()
        + ",profile="
        + drive.profile()
        + (drive.deviceId() != null ? ",device-id=" + drive.deviceId() : "")
        + (builder.anchorDirectory.equals(DriveFiles.defaultAnchorDirectory())
            ? ""
            : " --anchor-dir " + builder.anchorDirectory);
  }

  /** Configures an emulator. */
  public static final class Builder {
    private Path mediaDirectory;
    private ProfileCatalog profiles;
    private final List<DriveConfig> drives = new ArrayList<>();
    private TimingMode timing = TimingMode.FAST;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private InetSocketAddress controlAddress;
    private boolean remoteControl;
    private int maximumDataLength = Frame.DEFAULT_MAXIMUM_DATA_LENGTH;
    private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private LongSupplier clock = System::nanoTime;
    private InstantSource wallClock = InstantSource.system();
    private ScheduledExecutorService answerDelays;
    private Authority enrolment;
    private Path anchorDirectory;
    private CommandLog commandLog = CommandLog.OFF;
    private FaultScript faultScript;
    private Path capture;

    private Builder() {}

    /**
     * Enrols, at start, every drive that is not enrolled yet with {@code authority}: a development
     * and test convenience, as {@code secdrive authority enrol} followed by a start. The emulator
     * keeps no reference to the authority; {@code secdrive serve} never calls this and never holds
     * the authority's signing key.
     */
    public Builder enrol(Authority authority) {
      this.enrolment = authority;
      return this;
    }

    /**
     * Where the drives' anchors live (DriveNv); by default {@link
     * DriveFiles#defaultAnchorDirectory()}, outside the media directory. Tests give a directory of
     * their own.
     */
    public Builder anchorDirectory(Path directory) {
      this.anchorDirectory = directory;
      return this;
    }

    public Builder mediaDirectory(Path directory) {
      this.mediaDirectory = directory;
      return this;
    }

    public Builder profiles(ProfileCatalog profiles) {
      this.profiles = profiles;
      return this;
    }

    public Builder drive(DriveConfig drive) {
      drives.add(drive);
      return this;
    }

    /**
     * Which commands of a drive whose {@link DriveConfig} names no level are logged ({@link
     * CommandLog#OFF} by default).
     */
    public Builder commandLog(CommandLog level) {
      this.commandLog = level;
      return this;
    }

    /**
     * Captures every carrier's traffic from the start into {@code file} (pcapng; it must not
     * exist); the control API can stop it and start others.
     */
    public Builder capture(Path file) {
      this.capture = file;
      return this;
    }

    /** Arms {@code script} before the first command (the control API can replace it later). */
    public Builder faults(FaultScript script) {
      this.faultScript = script;
      return this;
    }

    public Builder timing(TimingMode timing) {
      this.timing = timing;
      return this;
    }

    /**
     * Serves on {@code endpoint} too. Without any, the emulator listens on TCP at 127.0.0.1 on a
     * free port.
     */
    public Builder endpoint(Endpoint endpoint) {
      endpoints.add(endpoint);
      return this;
    }

    /** Listens on TCP at {@code address} (port 0 picks a free one). */
    public Builder listen(InetSocketAddress address) {
      return endpoint(new TcpEndpoint(address));
    }

    /**
     * Starts the HTTP control API on {@code address} (port 0 picks a free one), a loopback address
     * unless {@link #remoteControl} allows another, with the token in {@code
     * <media-dir>/.secdrive/control-token} (see {@link ControlToken}).
     */
    public Builder control(InetSocketAddress address) {
      this.controlAddress = address;
      return this;
    }

    /**
     * Lets the control API listen on an address that is not a loopback address, with a token that
     * must exist already (made by an earlier start on loopback).
     */
    public Builder remoteControl(boolean allowed) {
      this.remoteControl = allowed;
      return this;
    }

    /**
     * Also serves the target on serial port {@code device} at {@code baud}; with realistic timing
     * output is paced to the baud rate.
     */
    public Builder serial(String device, int baud) {
      return endpoint(new SerialEndpoint(device, baud));
    }

    /** Serves on a serial port with pacing chosen explicitly, whatever the drive timing. */
    public Builder serial(String device, int baud, boolean paced) {
      return endpoint(new SerialEndpoint(device, baud, paced));
    }

    public Builder ioThreads(int threads) {
      this.ioThreads = threads;
      return this;
    }

    /**
     * The drives' wall clock, which only the usage periods of seed 002's licenses read (default the
     * system's UTC clock); a test passes one it moves.
     */
    public Builder wallClock(InstantSource wallClock) {
      this.wallClock = java.util.Objects.requireNonNull(wallClock, "wallClock");
      return this;
    }

    public Builder clock(LongSupplier nanoClock) {
      this.clock = nanoClock;
      return this;
    }

    /**
     * Where answers wait out the drive's service time under realistic timing; by default the
     * endpoints' own event loops, on the wall clock. A test passes a scheduler that runs on the
     * same time as {@link #clock}, so that spin-up, seeks and transfers all pass when it moves that
     * time and never while it waits.
     */
    public Builder answerDelays(ScheduledExecutorService scheduler) {
      this.answerDelays = scheduler;
      return this;
    }

    /**
     * Starts the emulator.
     *
     * @throws dev.secdrive.emulator.media.MediumException for a missing media directory or a bad
     *     medium
     * @throws dev.secdrive.profiles.ProfileException for an unknown profile
     * @throws dev.secdrive.emulator.secure.DriveStateException for a drive that is not enrolled, or
     *     whose keys, state and anchor do not belong together
     * @throws dev.secdrive.emulator.secure.KeyFileException for a drive keys file that cannot be
     *     used
     * @throws java.io.UncheckedIOException if the address cannot be bound
     */
    public Emulator start() {
      if (mediaDirectory == null) {
        throw new IllegalStateException("no media directory configured");
      }
      if (profiles == null) {
        profiles = ProfileCatalog.builtIn();
      }
      if (anchorDirectory == null) {
        anchorDirectory = DriveFiles.defaultAnchorDirectory();
      }
      if (drives.isEmpty()) {
        drives.add(new DriveConfig(0, ProfileCatalog.DEFAULT_PROFILE, null, null));
      }
      if (endpoints.isEmpty()) {
        endpoints.add(new TcpEndpoint(new InetSocketAddress("127.0.0.1", 0)));
      }
      return new Emulator(this);
    }
  }
}
