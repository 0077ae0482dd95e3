package dev.secdrive.emulator;

import dev.secdrive.emulator.control.ControlServer;
import dev.secdrive.emulator.control.ControlToken;
import dev.secdrive.emulator.endpoint.Endpoint;
import dev.secdrive.emulator.endpoint.serial.SerialEndpoint;
import dev.secdrive.emulator.endpoint.tcp.TcpEndpoint;
import dev.secdrive.emulator.firmware.DriveControlException;
import dev.secdrive.emulator.firmware.DriveStatus;
import dev.secdrive.emulator.firmware.Firmware;
import dev.secdrive.emulator.firmware.Target;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.Medium;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.emulator.secure.DriveKeys;
import dev.secdrive.emulator.secure.DriveNv;
import dev.secdrive.profiles.DriveProfile;
import dev.secdrive.profiles.ProfileCatalog;
import dev.secdrive.protocol.frame.Frame;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
  private final Authority authority;
  private final List<FileChannel> driveLocks = new ArrayList<>();
  private boolean closed;
  private volatile boolean powerLost;

  /** Where the secure layer's files live inside a media directory. */
  public static final String SECURE_DIRECTORY = ".secdrive";

  private Emulator(Builder builder) {
    this.media = MediumStore.open(builder.mediaDirectory);
    Path secureDirectory = builder.mediaDirectory.resolve(SECURE_DIRECTORY);
    Path authorityFile =
        builder.authorityFile != null
            ? builder.authorityFile
            : secureDirectory.resolve("authority.json");
    this.authority =
        builder.authorityFile != null
            ? Authority.load(authorityFile)
            : Authority.loadOrCreate(
                authorityFile,
                () ->
                    log.info(
                        "created a development licensing authority in {} (use --authority to"
                            + " name another)",
                        authorityFile));
    List<Firmware> drives = new ArrayList<>();
    Set<String> deviceIds = new HashSet<>();
    try {
      for (DriveConfig config : builder.drives) {
        DriveProfile profile = builder.profiles.get(config.profile());
        String deviceId =
            config.deviceId() != null ? config.deviceId() : defaultDeviceId(builder, config.lun());
        if (!deviceIds.add(deviceId)) {
          // Two drives with one device ID would share keys and overwrite each other's counter
          // and anti-rollback record.
          throw new IllegalArgumentException(
              "device ID " + deviceId + " is given to more than one drive");
        }
        Path driveDirectory = secureDirectory.resolve("drives").resolve(deviceId);
        DriveKeys keys =
            DriveKeys.loadOrEnroll(driveDirectory.resolve("keys.json"), deviceId, authority);
        driveLocks.add(lockDrive(driveDirectory, deviceId));
        DriveNv nv = DriveNv.open(driveDirectory.resolve("nv.json"));
        Firmware drive =
            new Firmware(config.lun(), profile, deviceId, builder.timing, builder.clock, keys, nv);
        drive.onPowerLoss(this::powerLoss);
        drives.add(drive);
      }
    } catch (RuntimeException e) {
      releaseDriveLocks();
      throw e;
    }
    this.target = new Target(drives);
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

  /** The licensing authority the drives were enrolled with. */
  public Authority authority() {
    return authority;
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
    closeMedia();
    releaseDriveLocks();
  }

  /**
   * Locks a drive's state directory for as long as this emulator runs, so that a second emulator on
   * the same media directory cannot run the same drive (and its counter) beside it.
   */
  private static FileChannel lockDrive(Path driveDirectory, String deviceId) {
    Path file = driveDirectory.resolve("lock");
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      if (channel.tryLock() == null) {
        throw new DriveControlException(
            "drive "
                + deviceId
                + " is already running in another emulator ("
                + file
                + " is locked)");
      }
      return channel;
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw new DriveControlException(
          "drive " + deviceId + " is already running in this process (" + file + " is locked)");
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("cannot lock " + file, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
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

  /** A device ID that stays the same across restarts of the same setup. */
  private static String defaultDeviceId(Builder builder, int lun) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  (builder.mediaDirectory.toAbsolutePath().normalize() + "\0" + lun)
                      .getBytes(StandardCharsets.UTF_8));
      return "SDD" + HexFormat.of().withUpperCase().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
    private ScheduledExecutorService answerDelays;
    private Path authorityFile;

    private Builder() {}

    /**
     * Uses the licensing authority in {@code file} (which must exist) instead of the development
     * authority {@code <media dir>/.secdrive/authority.json} that is created on first use.
     */
    public Builder authority(Path file) {
      this.authorityFile = file;
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
     * @throws java.io.UncheckedIOException if the address cannot be bound
     */
    public Emulator start() {
      if (mediaDirectory == null) {
        throw new IllegalStateException("no media directory configured");
      }
      if (profiles == null) {
        profiles = ProfileCatalog.builtIn();
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
