package dev.secdrive.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.secdrive.center.Refusal;
import dev.secdrive.center.distributor.Distributor;
import dev.secdrive.center.distributor.DistributorServer;
import dev.secdrive.center.distributor.store.Rows;
import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.emulator.DriveConfig;
import dev.secdrive.emulator.Emulator;
import dev.secdrive.emulator.firmware.TimingMode;
import dev.secdrive.emulator.media.MediumStore;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.api.Drive;
import dev.secdrive.host.api.ScsiException;
import dev.secdrive.host.flow.ContentMove;
import dev.secdrive.host.flow.ContentMove.MoveException;
import dev.secdrive.host.flow.DistributorClient;
import dev.secdrive.host.flow.DistributorException;
import dev.secdrive.host.flow.Progress;
import dev.secdrive.kit.files.KeyTreeFile;
import dev.secdrive.protocol.distributor.AddContent;
import dev.secdrive.protocol.distributor.AddOffer;
import dev.secdrive.protocol.distributor.Bill;
import dev.secdrive.protocol.distributor.CopyPolicy;
import dev.secdrive.protocol.distributor.Profile;
import dev.secdrive.protocol.distributor.RegistrationChallenge;
import dev.secdrive.protocol.move.ClientStatus;
import dev.secdrive.protocol.move.ProofRequest;
import dev.secdrive.protocol.move.RegistrationProof;
import dev.secdrive.protocol.move.UseConditions;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Reason;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole content move of seed 002 across every real boundary: two distributor servers (real HTTP
 * on 127.0.0.1) of one federation, sharing the operations database C, and two emulated drives over
 * TCP (client A's on LUN 0, client B's on LUN 1) driven by the host driver's {@link ContentMove}
 * flows. Run once per database kind: {@link ContentMoveStoryH2IT} (embedded H2, the default) and
 * {@link ContentMoveStoryPostgresIT} (A, B and C as three databases of one server). One clock moves
 * the distributors' issue times and use periods and the drives' wall clock.
 */
abstract class ContentMoveStory {

  static final String ALICE = "alice";
  static final String BOB = "bob";
  static final String PASSWORD = "correct horse battery";
  static final String SONG = "song-1";
  static final String FILM = "film-1";
  static final long PRICE = 500;
  static final long P = 100; // the package's LBA on the medium

  /** The private database A of distributor {@code which} ("a" or "b"). */
  abstract JdbcConfig privateDatabase(String which, Path dataDir) throws Exception;

  /** The shared operations database C. */
  abstract JdbcConfig sharedDatabase(Path sharedDir) throws Exception;

  /** Drops what the two methods above made. */
  void dropDatabases() throws Exception {}

  /** The clock of both distributors and both drives: moves only when a test moves it. */
  static final class TestClock extends Clock {
    volatile Instant now = Instant.parse("2026-12-01T10:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @TempDir Path work;

  final TestClock clock = new TestClock();
  Authority authority;
  DistributorServer a;
  DistributorServer b;
  Emulator emulator;
  Path media;
  byte[] song;
  byte[] film;
  DistributorClient adminA;
  DistributorClient adminB;
  DistributorClient aliceAtA;
  DistributorClient aliceAtB;

  @BeforeEach
  void startTheFederation() throws Exception {
    authority = Authority.create();
    Path tree = work.resolve("key-tree.json");
    KeyTreeFile.create(8, 1).write(tree, false);
    JdbcConfig c = sharedDatabase(work.resolve("operations"));
    a = distributor("a", "Distributor A", 0, tree, c);
    b = distributor("b", "Distributor B", 1, tree, c);
    adminA = new DistributorClient(a.url()).asAdmin(a.adminToken());
    adminB = new DistributorClient(b.url()).asAdmin(b.adminToken());
    for (DistributorClient admin : List.of(adminA, adminB)) {
      admin.addUser(ALICE, "Alice", PASSWORD);
      admin.addUser(BOB, "Bob", PASSWORD);
    }
    aliceAtA =
        new DistributorClient(a.url()).pinnedTo(authority.publicKey()).asUser(ALICE, PASSWORD);
    aliceAtB =
        new DistributorClient(b.url()).pinnedTo(authority.publicKey()).asUser(ALICE, PASSWORD);
    adminA.setCopyPolicy(CopyPolicy.reduced(50));

    song = Rig.content(150_000 + 7, 1);
    film = Rig.content(70_000 + 3, 2);
    // 3 plays, 30 days, 1 copy certificate, 1 copy to removable media.
    adminA.addContent(
        new AddContent(SONG, "A song", "audio/wav", "lic-" + SONG, PRICE, 3, 30, 1, 1, song));
    adminA.addContent(
        new AddContent(
            FILM,
            "A film",
            "application/octet-stream",
            "lic-" + FILM,
            PRICE,
            UseConditions.UNLIMITED,
            1,
            2,
            2,
            film));
    adminA.addOffer(FILM, new AddOffer("renew-30", 120, UseConditions.UNLIMITED, 30, 0, 0));

    media = work.resolve("media");
    MediumStore store = MediumStore.openOrCreate(media);
    Rig.createMedium(store, "MO-A", "mo-640", null);
    Rig.createMedium(store, "MO-X", "mo-640", null);
    emulator = emulator();
  }

  private DistributorServer distributor(
      String which, String name, long category, Path tree, JdbcConfig c) throws Exception {
    Path dir = work.resolve(which);
    DistributorServer.setup(
        dir,
        name,
        authority.publicKey(),
        authority::certify,
        tree,
        category,
        privateDatabase(which, dir),
        c);
    return DistributorServer.start(dir, new InetSocketAddress("127.0.0.1", 0), clock);
  }

  private Emulator emulator() {
    return Emulator.builder()
        .mediaDirectory(media)
        .anchorDirectory(Rig.anchors(media))
        .enrol(authority)
        .profiles(Rig.PROFILES)
        .timing(TimingMode.FAST)
        .wallClock(clock)
        .drive(new DriveConfig(0, "mo-640", "CLIENT-A-DRIVE", "MO-A"))
        .drive(new DriveConfig(1, "mo-640", "CLIENT-B-DRIVE", null))
        .start();
  }

  @AfterEach
  void stopTheFederation() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {emulator, a, b}) {
      if (c != null) {
        c.close();
      }
    }
    dropDatabases();
  }

  // ---------------------------------------------------------------- helpers

  static final int A = 0;
  static final int B = 1;

  <T> T on(int lun, Function<Drive, T> action) {
    try (Drive drive = Drive.open("tcp://" + Addresses.format(emulator.address()) + "/" + lun)) {
      return action.apply(drive);
    }
  }

  void with(int lun, Consumer<Drive> action) {
    on(
        lun,
        d -> {
          action.accept(d);
          return null;
        });
  }

  ClientStatus status(int lun) {
    return on(lun, ContentMove::status);
  }

  byte[] play(int lun, Path packageFile) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    with(lun, d -> ContentMove.play(d, packageFile, P, out, Progress.NONE));
    return out.toByteArray();
  }

  Path download(DistributorClient user, String contentId, String clientId) {
    Path file = work.resolve(contentId + "-" + clientId + ".sdcp");
    ContentMove.Downloaded d = ContentMove.download(user, contentId, clientId, file, Progress.NONE);
    assertEquals(contentId, d.contentId());
    return file;
  }

  /** Client A (alice's, at A) and client B (alice's, at B): their client IDs. */
  String[] registerBoth() {
    ContentMove.Registered ra = on(A, d -> ContentMove.register(d, aliceAtA));
    ContentMove.Registered rb = on(B, d -> ContentMove.register(d, aliceAtB));
    return new String[] {ra.clientId(), rb.clientId()};
  }

  /** Pays what the user owes at {@code admin}'s distributor. */
  static void settle(DistributorClient admin, String user) {
    long owed = admin.profile(user).owedCents();
    if (owed > 0) {
      admin.pay(user, owed);
    }
  }

  /** Moves MO-A from A's drive into B's (a person, through the emulator's control). */
  void carryTheMediumToB() {
    emulator.remove(A, true);
    emulator.insert(B, "MO-A");
  }

  /**
   * {@code action} fails at the story level with the distributor's HTTP {@code status} (or, if 0,
   * the drive's {@code reason}), and installs nothing on either drive and bills nothing at A or B.
   */
  MoveException refused(int status, Reason reason, Runnable action) {
    ClientStatus beforeA = status(A);
    ClientStatus beforeB = status(B);
    List<Bill> billsA = adminA.profile(ALICE).bills();
    List<Bill> billsB = adminB.profile(ALICE).bills();
    MoveException e = assertThrows(MoveException.class, action::run);
    if (status != 0) {
      assertEquals(status, e.httpStatus(), e.getMessage());
    } else {
      assertEquals(0, e.httpStatus(), e.getMessage());
      assertEquals(reason, e.reason().orElse(null), e.getMessage());
    }
    assertEquals(beforeA, status(A), "nothing installed on A: " + e.getMessage());
    assertEquals(beforeB, status(B), "nothing installed on B: " + e.getMessage());
    assertEquals(billsA, adminA.profile(ALICE).bills(), "nothing billed at A");
    assertEquals(billsB, adminB.profile(ALICE).bills(), "nothing billed at B");
    return e;
  }

  // ---------------------------------------------------------------- the story

  @Test
  void aSongBoughtAtAPlaysOnClientAMovesToClientBAndPlaysThere() {
    String[] clients = registerBoth();
    String clientA = clients[0];
    String clientB = clients[1];

    // S1-S4: each drive holds its service data; C knows both clients as alice's.
    ClientStatus.Client onA = status(A).client().orElseThrow();
    assertEquals("Distributor A", onA.distributor());
    assertTrue(onA.leafId() < 128, "A's leaves are category 0 of a depth-8 tree");
    ClientStatus.Client onB = status(B).client().orElseThrow();
    assertEquals("Distributor B", onB.distributor());
    assertTrue(onB.leafId() >= 128, "B's leaves are category 1");
    Rows.ClientRow aInC = b.distributor().client(clientA);
    assertEquals(ALICE, aInC.userId());
    assertEquals("CLIENT-A-DRIVE", aInC.deviceId());
    assertEquals("Distributor B", a.distributor().client(clientB).distributor());

    // S21-S25, S61-S66: download and license at A, billed the price.
    Path file = download(aliceAtA, SONG, clientA);
    ContentMove.Licensed licensed = on(A, d -> ContentMove.license(d, aliceAtA, SONG));
    assertEquals(PRICE, licensed.billedCents());
    assertEquals(3, licensed.installed().conditions().plays());
    settle(adminA, ALICE);

    // S41-S50: played on A through the drive, one play spent.
    assertArrayEquals(song, play(A, file));
    assertEquals(2, status(A).licenses().get(0).conditions().plays());

    // S111-S115: the copy certificate for B, billed by A's policy (reduced 50 %).
    ContentMove.Certified certified =
        on(A, d -> ContentMove.certificate(d, aliceAtA, SONG, clientB));
    assertEquals(PRICE / 2, certified.billedCents());
    assertEquals(onB.leafId(), certified.destinationLeafId());
    settle(adminA, ALICE);

    // S151-S153, then a person carries the medium to B; S161-S173.
    ContentMove.MovedOut out = on(A, d -> ContentMove.moveOut(d, file, P, SONG));
    assertTrue(status(A).certificates().isEmpty(), "A gave the certificate up");
    assertEquals(0, status(A).licenses().get(0).conditions().removableCopies());
    assertTrue(out.moveRecordLba() > P);
    carryTheMediumToB();
    ContentMove.MovedIn in = on(B, d -> ContentMove.moveIn(d, P));
    assertEquals("Distributor A", in.issuer());
    assertEquals("lic-" + SONG, in.licenseId());
    assertArrayEquals(song, play(B, null), "B plays what A licensed");
    assertEquals(2, status(B).usedSerials(), "the certificate's and its license's serials");

    // DB C: the federation's record of alice's licenses, read at B; the copy in A's profile.
    // Both licenses are A's: the one bought for client A, and the one the certificate carried to B.
    List<Rows.UserLicenseRow> inC = b.distributor().federationLicenses(ALICE);
    assertEquals(
        java.util.Set.of(clientA, clientB),
        inC.stream()
            .map(Rows.UserLicenseRow::clientId)
            .collect(java.util.stream.Collectors.toSet()));
    assertTrue(inC.stream().allMatch(l -> l.distributor().equals("Distributor A")), inC::toString);
    assertTrue(inC.stream().allMatch(l -> l.contentId().equals(SONG)), inC::toString);
    Profile profile = adminA.profile(ALICE);
    assertEquals(1, profile.copies().size());
    assertEquals(clientA, profile.copies().get(0).sourceClient());
    assertEquals(clientB, profile.copies().get(0).destinationClient());
    assertEquals(
        List.of(PRICE, PRICE / 2), profile.bills().stream().map(Bill::amountCents).toList());
    assertEquals("copy", profile.bills().get(1).kind(), "the copy billed by A's copy policy");
    assertEquals(0, profile.owedCents());
    assertEquals(List.of(), adminB.profile(ALICE).bills(), "B billed nothing");

    // S165-S167: the same record moves nothing twice, also after B's emulator restarts.
    refused(0, Reason.ALREADY_USED, () -> with(B, d -> ContentMove.moveIn(d, P)));
    emulator.close();
    emulator = emulator();
    carryTheMediumToB();
    refused(0, Reason.ALREADY_USED, () -> with(B, d -> ContentMove.moveIn(d, P)));
    assertArrayEquals(song, play(B, null), "the moved license survives the restart");
  }

  // ---------------------------------------------------------------- refusals

  @Test
  void aWrongPasswordGetsNothing() {
    DistributorClient wrong = new DistributorClient(a.url()).asUser(ALICE, "not the password");
    MoveException e = refused(401, null, () -> with(A, d -> ContentMove.register(d, wrong)));
    assertEquals("register (S1-S4)", e.step());
    assertFalse(status(A).registered());
    String clientA = registerBoth()[0];
    e = refused(401, null, () -> with(A, d -> ContentMove.license(d, wrong, SONG)));
    assertEquals("license (S61-S66)", e.step());
    Path never = work.resolve("never.sdcp");
    refused(401, null, () -> ContentMove.download(wrong, SONG, clientA, never, Progress.NONE));
    assertFalse(Files.exists(never), "no torn package file");
  }

  // ---------------------------------------------------------------- registration squatting

  /** The drive at {@code lun} signs a registration proof, over the real host driver. */
  RegistrationProof prove(int lun, Certificate distributor, String userId, byte[] challenge) {
    return on(
        lun,
        d -> {
          d.secure().proveRegistration(new ProofRequest(distributor, userId, challenge));
          return d.secure().registrationProof();
        });
  }

  /**
   * Asserts that {@code action} is refused by the distributor with {@code status} and {@code text}.
   */
  static void squatRefused(int status, String text, Runnable action) {
    DistributorException e = assertThrows(DistributorException.class, action::run);
    assertEquals(status, e.status(), e.getMessage());
    assertTrue(e.getMessage().contains(text), "'" + e.getMessage() + "' should say '" + text + "'");
  }

  /**
   * Registration squatting (S11): Bob, a user of both distributors, has read the certificate of
   * Alice's drive A (SECURITY PROTOCOL IN 00h/0001h answers anyone) and posts it as his client. He
   * has no proof, or one by his own drive, or a real proof of drive A that was made for Alice, for
   * another distributor, or for him but kept past its challenge's five minutes on the distributor's
   * clock: each is refused with its reason before anything is written, so no leaf is taken in C and
   * Alice then registers drive A as hers.
   */
  @Test
  void aDriveCertificateWithoutItsDrivesProofForTheUserRegistersNothing() {
    Certificate victim = on(A, d -> d.secure().certificate());
    Certificate atA = aliceAtA.info().certificate();
    Certificate atB = aliceAtB.info().certificate();
    DistributorClient bobAtA = new DistributorClient(a.url()).asUser(BOB, PASSWORD);
    DistributorClient bobAtB = new DistributorClient(b.url()).asUser(BOB, PASSWORD);
    RegistrationChallenge c = bobAtA.registrationChallenge();
    assertEquals(BOB, c.userId());
    assertEquals(clock.now.plus(Distributor.CHALLENGE_LIFETIME), Instant.parse(c.expiresAt()));
    // No proof.
    squatRefused(400, "field 'proof'", () -> bobAtA.registerClient(victim, c.challenge(), null));
    // A proof by another drive: Bob's own (LUN 1), for him at A.
    RegistrationProof byOwnDrive = prove(B, atA, BOB, c.challenge());
    assertEquals("CLIENT-B-DRIVE", byOwnDrive.deviceId(), "the drive names itself");
    squatRefused(
        403,
        "the proof is by drive CLIENT-B-DRIVE, not by drive CLIENT-A-DRIVE",
        () -> bobAtA.registerClient(victim, c.challenge(), byOwnDrive.encode()));
    // Drive A's proof made for Alice (seen as she registers elsewhere, or relayed by a host).
    RegistrationChallenge ofAlice = aliceAtA.registrationChallenge();
    RegistrationProof forAlice = prove(A, atA, ALICE, ofAlice.challenge());
    assertTrue(forAlice.signedBy(victim));
    squatRefused(
        403,
        "the proof is for user alice, not bob",
        () -> bobAtA.registerClient(victim, ofAlice.challenge(), forAlice.encode()));
    // Drive A's proof for Bob at A, replayed at B with a challenge of B.
    RegistrationProof forBobAtA = prove(A, atA, BOB, c.challenge());
    RegistrationChallenge ofB = bobAtB.registrationChallenge();
    squatRefused(
        403,
        "the proof is for distributor Distributor A, not Distributor B",
        () -> bobAtB.registerClient(victim, ofB.challenge(), forBobAtA.encode()));
    // ... or with the challenge it answers, or with B's challenge signed for A.
    squatRefused(
        403,
        "the proof is for distributor Distributor A",
        () -> bobAtB.registerClient(victim, c.challenge(), forBobAtA.encode()));
    RegistrationProof withBsChallenge = prove(A, atA, BOB, ofB.challenge());
    squatRefused(
        403,
        "not issued by Distributor A to user bob",
        () -> bobAtA.registerClient(victim, ofB.challenge(), withBsChallenge.encode()));
    // ... and kept past its challenge's lifetime.
    clock.now = clock.now.plus(Distributor.CHALLENGE_LIFETIME).plusSeconds(1);
    squatRefused(
        403,
        "the challenge expired at",
        () -> bobAtA.registerClient(victim, c.challenge(), forBobAtA.encode()));
    // Nothing was written in C: the first leaf of A's category is nobody's, drive A no client.
    long first = a.distributor().firstLeaf();
    Refusal none =
        assertThrows(Refusal.class, () -> a.distributor().client(Distributor.clientId(first)));
    assertEquals(Refusal.Kind.NOT_FOUND, none.kind(), none.getMessage());
    assertFalse(status(A).registered());
    // Alice's own registration of drive A works, and takes that leaf.
    ContentMove.Registered alices = on(A, d -> ContentMove.register(d, aliceAtA));
    assertEquals(Distributor.clientId(first), alices.clientId());
    assertEquals(ALICE, a.distributor().client(alices.clientId()).userId());
    // Now registered, the drive signs no more proofs (10h).
    ScsiException registered =
        assertThrows(ScsiException.class, () -> prove(A, atB, ALICE, ofB.challenge()));
    assertEquals(Reason.ALREADY_REGISTERED, registered.reason().orElse(null));
  }

  @Test
  void aHostPinnedToItsAuthorityRefusesADistributorItDidNotCertify() {
    DistributorClient pinnedElsewhere =
        new DistributorClient(a.url())
            .pinnedTo(Authority.create().publicKey())
            .asUser(ALICE, PASSWORD);
    MoveException e =
        refused(0, null, () -> with(A, d -> ContentMove.register(d, pinnedElsewhere)));
    assertTrue(e.getMessage().contains("not the pinned"), e.getMessage());
    assertFalse(status(A).registered());
    assertEquals(0, adminA.profile(ALICE).bills().size());
  }

  @Test
  void aCopyForAClientOfAnotherUserIsRefused() {
    on(A, d -> ContentMove.register(d, aliceAtA));
    DistributorClient bobAtB = new DistributorClient(b.url()).asUser(BOB, PASSWORD);
    String bobsClient = on(B, d -> ContentMove.register(d, bobAtB)).clientId();
    on(A, d -> ContentMove.license(d, aliceAtA, SONG));
    settle(adminA, ALICE);
    MoveException e =
        refused(
            403, null, () -> with(A, d -> ContentMove.certificate(d, aliceAtA, SONG, bobsClient)));
    assertEquals("certificate (S111-S115)", e.step());
  }

  @Test
  void noMoreCopyCertificatesThanTheCopyCount() {
    String clientB = registerBoth()[1];
    on(A, d -> ContentMove.license(d, aliceAtA, SONG));
    settle(adminA, ALICE);
    on(A, d -> ContentMove.certificate(d, aliceAtA, SONG, clientB));
    settle(adminA, ALICE);
    // The song allows 1 copy certificate.
    refused(409, null, () -> with(A, d -> ContentMove.certificate(d, aliceAtA, SONG, clientB)));
    assertEquals(1, status(A).certificates().size());
  }

  @Test
  void anUnpaidUserGetsNoLicenseAndNoCopy() {
    String clientB = registerBoth()[1];
    on(A, d -> ContentMove.license(d, aliceAtA, SONG));
    assertEquals(PRICE, adminA.profile(ALICE).owedCents());
    refused(402, null, () -> with(A, d -> ContentMove.license(d, aliceAtA, FILM)));
    refused(402, null, () -> with(A, d -> ContentMove.certificate(d, aliceAtA, SONG, clientB)));
    settle(adminA, ALICE);
    on(A, d -> ContentMove.license(d, aliceAtA, FILM));
  }

  @Test
  void aRevokedClientBCannotGetNewContentPlayed() {
    String[] clients = registerBoth();
    String clientA = clients[0];
    String clientB = clients[1];
    on(A, d -> ContentMove.license(d, aliceAtA, SONG));
    settle(adminA, ALICE);
    on(A, d -> ContentMove.certificate(d, aliceAtA, SONG, clientB));
    settle(adminA, ALICE);

    adminB.revoke(clientB);
    // No distributor serves B any more (DB C records the revocation for the federation).
    refused(403, null, () -> with(B, d -> ContentMove.license(d, aliceAtA, FILM)));
    refused(
        403,
        null,
        () -> ContentMove.download(aliceAtA, SONG, clientB, work.resolve("b.sdcp"), Progress.NONE));
    // A package downloaded now carries an EKB without B's leaf: A plays it, B cannot.
    Path file = download(aliceAtA, SONG, clientA);
    assertArrayEquals(song, play(A, file));
    on(A, d -> ContentMove.moveOut(d, file, P, SONG));
    carryTheMediumToB();
    on(B, d -> ContentMove.moveIn(d, P));
    refused(0, Reason.REVOKED, () -> play(B, null));
  }

  @Test
  void anExpiredLicensePlaysAgainOnlyAfterItsUpdate() {
    String clientA = registerBoth()[0];
    Path file = download(aliceAtA, FILM, clientA);
    on(A, d -> ContentMove.license(d, aliceAtA, FILM));
    settle(adminA, ALICE);
    assertArrayEquals(film, play(A, file));

    clock.now = clock.now.plus(Duration.ofDays(2)); // the film's license is for 1 day
    MoveException e = refused(0, Reason.EXPIRED, () -> play(A, file));
    assertEquals("play (S41-S50)", e.step());

    ContentMove.Licensed updated = on(A, d -> ContentMove.update(d, aliceAtA, FILM, "renew-30"));
    assertEquals(120, updated.billedCents());
    assertEquals(1, status(A).licenses().size(), "the update replaced the license");
    assertArrayEquals(film, play(A, file));
  }
}
