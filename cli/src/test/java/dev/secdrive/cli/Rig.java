package dev.secdrive.cli;

import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.endpoint.iscsi.IscsiEndpoint;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.kit.testing.ManualScheduler;
import dev.secdrive.profiles.ProfileCatalog;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Test rig: a media directory and an emulator on 127.0.0.1:0 with a control API, serving its drives
 * over TCP and over iSCSI ({@link #iscsiUri}), both on free ports.
 */
final class Rig implements AutoCloseable {

  static final ProfileCatalog PROFILES = ProfileCatalog.builtIn();

  final Path media;
  final MediumStore store;
  final Emulator emulator;
  final IscsiEndpoint portal = new IscsiEndpoint(new InetSocketAddress("127.0.0.1", 0));

  Rig(Path media, TimingMode timing, List<DriveConfig> drives) {
    this(media, timing, drives, null);
  }

  /**
   * With the drives' time (spin-up, how long the drive is busy, when its answers go) on {@code
   * time}, or on the wall clock when it is null.
   */
  Rig(Path media, TimingMode timing, List<DriveConfig> drives, ManualScheduler time) {
    this.media = media;
    this.store = MediumStore.openOrCreate(media);
    Emulator.Builder builder =
        builder(media)
            .profiles(PROFILES)
            .timing(timing)
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .endpoint(portal)
            .control(new InetSocketAddress("127.0.0.1", 0));
    if (time != null) {
      builder.clock(time::nanoTime).answerDelays(time);
    }
    drives.forEach(builder::drive);
    this.emulator = builder.start();
  }

  /**
   * An emulator on {@code media} whose drives are enrolled, on first start, with {@link
   * #authority}, keeping their anchors in {@link #anchors}: never in the user's anchor store.
   */
  static Emulator.Builder builder(Path media) {
    return Emulator.builder()
        .mediaDirectory(media)
        .anchorDirectory(anchors(media))
        .enrol(authority(media));
  }

  /**
   * The test anchor store of {@code media}: a dot directory inside it (the media store skips it),
   * so that it lives and goes with the test's media directory, across restarts of the emulator. The
   * real separation of the two stores is what {@code DriveStateIT} tests.
   */
  static Path anchors(Path media) {
    return media.resolve(".test-anchors");
  }

  /**
   * The development authority of {@code media}, {@code <media>/.secdrive/authority.json} (the
   * default file of {@code secdrive authority}), created on first use.
   */
  static Authority authority(Path media) {
    Path file = media.resolve(Emulator.SECURE_DIRECTORY).resolve("authority.json");
    if (Files.exists(file)) {
      return Authority.load(file);
    }
    Authority authority = Authority.create();
    authority.save(file);
    return authority;
  }

  /**
   * Makes {@code file} a licensor credential named {@code name} under the development authority of
   * {@code media} ({@code secdrive authority licensor}).
   */
  static Path licensor(Path media, Path file, String name) {
    Cli made =
        Cli.run(
            "authority",
            "licensor",
            "--media-dir",
            media.toString(),
            "--name",
            name,
            "--out",
            file.toString());
    org.junit.jupiter.api.Assertions.assertEquals(0, made.exit(), made::toString);
    return file;
  }

  /** {@code secdrive license provision} of {@code content} as {@code contentId} at LBA 1000. */
  static Cli provision(
      String uri, Path credential, String contentId, Path content, String... more) {
    java.util.List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "license",
                "provision",
                uri,
                "--credential",
                credential.toString(),
                "--content-id",
                contentId,
                "--in",
                content.toString(),
                "--lba",
                "1000"));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  /** Creates a blank medium of {@code type} with {@code id}, sized as the profiles say. */
  /** {@code length} bytes of a seeded random title, the same for the same seed. */
  static byte[] content(int length, int seed) {
    byte[] bytes = new byte[length];
    new java.util.Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** A title of a master to author, named after its ID. */
  static dev.secdrive.host.flow.MasterAuthoring.Title title(
      String id, int scheme, byte[] key, byte[] content) {
    return new dev.secdrive.host.flow.MasterAuthoring.Title(
        id, "Title " + id, scheme, key, content.length, new java.io.ByteArrayInputStream(content));
  }

  static String createMedium(MediumStore store, String id, String type, Path content) {
    return Media.create(store, PROFILES, type, id, "test " + id, content).id();
  }

  String uri(int lun) {
    return "tcp://" + Addresses.format(emulator.address()) + "/" + lun;
  }

  String uri(int lun, String query) {
    return uri(lun) + "?" + query;
  }

  /** The drive on {@code lun} over iSCSI: {@code iscsi://127.0.0.1:PORT/IQN/LUN?query}. */
  String iscsiUri(int lun, String query) {
    return iscsiUri(portal, lun) + (query.isEmpty() ? "" : "?" + query);
  }

  static String iscsiUri(IscsiEndpoint portal, int lun) {
    return "iscsi://127.0.0.1:"
        + portal.address().getPort()
        + "/"
        + portal.targetName()
        + "/"
        + lun;
  }

  String controlUrl() {
    return "http://" + Addresses.format(emulator.controlAddress().orElseThrow());
  }

  @Override
  public void close() {
    emulator.close();
  }
}
