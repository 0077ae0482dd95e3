package dev.secdrive.center.distributor;

import dev.secdrive.center.Refusal;
import dev.secdrive.center.distributor.store.OperationsStore;
import dev.secdrive.center.distributor.store.PrivateStore;
import dev.secdrive.center.distributor.store.Rows.BillRow;
import dev.secdrive.center.distributor.store.Rows.ClientRow;
import dev.secdrive.center.distributor.store.Rows.ContentRow;
import dev.secdrive.center.distributor.store.Rows.CopyRow;
import dev.secdrive.center.distributor.store.Rows.DownloadRow;
import dev.secdrive.center.distributor.store.Rows.LicenseRow;
import dev.secdrive.center.distributor.store.Rows.OfferRow;
import dev.secdrive.center.distributor.store.Rows.RevocationRow;
import dev.secdrive.center.distributor.store.Rows.Terms;
import dev.secdrive.center.distributor.store.Rows.UserLicenseRow;
import dev.secdrive.center.distributor.store.Rows.UserRow;
import dev.secdrive.center.store.Database;
import dev.secdrive.center.store.StoreException;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.RawKeyPair;
import dev.secdrive.kit.files.AtomicFiles;
import dev.secdrive.protocol.distributor.CopyPolicy;
import dev.secdrive.protocol.keytree.Ekb;
import dev.secdrive.protocol.keytree.KeyTree;
import dev.secdrive.protocol.move.ContentPackage;
import dev.secdrive.protocol.move.ContentsCopyCertificate;
import dev.secdrive.protocol.move.License;
import dev.secdrive.protocol.move.RegistrationProof;
import dev.secdrive.protocol.move.ServiceData;
import dev.secdrive.protocol.move.UseConditions;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ParameterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * What one distributor does (seed 002), whoever asks: the license server, the contents server and
 * the billing of one member of the federation. Users and their passwords, sessions, the catalog,
 * bills and payments live in its private database A; clients and their leaves, who holds what, copy
 * certificates and revocations in the federation's shared database C.
 *
 * <p>Every refusal is a {@link Refusal} naming the problem, decided before anything is written: a
 * refused request writes nothing and bills nothing. A flow that writes both databases writes C
 * first (where the federation-wide constraints are: a leaf given once, the copy count of a license)
 * and A last, billing in A's transaction after every check has passed; the user's row in A is
 * locked for the whole flow, so "no licence while a bill is unpaid" holds under concurrency.
 * Because C commits first, a flow whose commit of A then fails deletes what C committed of it, and
 * what a crash between the two commits left in C is deleted when the distributor starts and
 * periodically after ({@link IssueBatches#reconcile}).
 */
public final class Distributor {

  /**
   * Who asks for a license or a copy certificate: a user whose password was checked, or the token
   * of a session, checked with the request in its batch.
   */
  public sealed interface Caller {
    /** A user authenticated already (its password checked). */
    record User(String userId) implements Caller {}

    /** A session token, not checked yet. */
    record Token(String token) implements Caller {
      @Override
      public String toString() {
        return "Token[...]"; // never the token
      }
    }

    static Caller user(String userId) {
      return new User(userId);
    }

    static Caller session(String token) {
      return new Token(token);
    }
  }

  /** Requests decided in one batch at most: every request the HTTP server runs at once fits. */
  static final int MAX_BATCH = 64;

  /**
   * Batches of licenses, and of copies, running at once: while one is at the database (its round
   * trips, its commit's flush), the next gathers and starts. Their row locks are taken in the order
   * of the rows' IDs, so two never wait on each other in a cycle.
   */
  static final int MAX_RUNNING = 2;

  /** How long a session token authenticates. */
  public static final Duration SESSION_LIFETIME = Duration.ofHours(12);

  /** IDs (users, contents, licenses, offers, clients): 1..64 printable ASCII. */
  public static final int ID_MAX = 64;

  private static final String COPY_POLICY = "copy-policy";
  private static final int ATTEMPTS = 16;
  private static final HexFormat HEX = HexFormat.of();
  private static final Pattern SERIAL = Pattern.compile("[0-9a-f]{32}");

  private final DistributorKeys keys;
  private final RawKeyPair keyPair;
  private final Ed25519.Signer signer;

  /** The EKB last built, reused while its version is the one in force ({@link #currentEkb}). */
  private volatile Ekb lastEkb;

  private final KeyTree tree;
  private final int categoryDepth;
  private final long firstLeaf;
  private final long endLeaf;
  private final Database a;
  private final Database c;
  private final Path contentsDir;
  private final Clock clock;
  private final LoginThrottle throttle;
  private final RegistrationChallenges challenges;
  private final IssueBatches batches;

  /**
   * @param categoryDepth the tree's category depth c: this distributor's leaves are those under
   *     node 2^c + k, k = {@link DistributorKeys#category()}
   * @param contentsDir where the encrypted contents are kept
   * @throws IllegalArgumentException if the category is not in the tree
   */
  public Distributor(
      DistributorKeys keys,
      KeyTree tree,
      int categoryDepth,
      Database privateDatabase,
      Database sharedDatabase,
      Path contentsDir,
      Clock clock) {
    if (categoryDepth < 0 || categoryDepth >= tree.depth()) {
      throw new IllegalArgumentException(
          "category depth " + categoryDepth + " is not in 0.." + (tree.depth() - 1));
    }
    if (keys.category() >= (1L << categoryDepth)) {
      throw new IllegalArgumentException(
          "category "
              + keys.category()
              + " is not in a tree of "
              + (1L << categoryDepth)
              + " categories");
    }
    this.keys = keys;
    this.keyPair = keys.keyPair();
    this.signer = Ed25519.signer(keyPair.privateKey());
    this.tree = tree;
    this.categoryDepth = categoryDepth;
    int below = tree.depth() - categoryDepth;
    this.firstLeaf = keys.category() << below;
    this.endLeaf = (keys.category() + 1) << below;
    this.a = privateDatabase;
    this.c = sharedDatabase;
    this.contentsDir = contentsDir;
    this.clock = clock;
    this.throttle = new LoginThrottle(clock, LoginThrottle.MAX_FAILURES, LoginThrottle.WINDOW);
    this.challenges = new RegistrationChallenges(keys.challengeKey(), keys.name());
    this.batches =
        new IssueBatches(
            keys.name(), a, c, this::now, batchThreads(keys.name()), MAX_BATCH, MAX_RUNNING);
    // What a crash left in C between a transaction of C and A's around it.
    batches.reconcileIfDue(now());
  }

  /**
   * The threads of the license and copy batches, {@link #MAX_RUNNING} of each, gone after a minute
   * without work, so a distributor nobody closes leaves no thread behind.
   */
  private static Executor batchThreads(String name) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            2 * MAX_RUNNING,
            2 * MAX_RUNNING,
            1,
            TimeUnit.MINUTES,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, name + "-batch-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  public DistributorKeys keys() {
    return keys;
  }

  public int treeDepth() {
    return tree.depth();
  }

  public int categoryDepth() {
    return categoryDepth;
  }

  /** The leaves this distributor hands out: [first, end). */
  public long firstLeaf() {
    return firstLeaf;
  }

  public long endLeaf() {
    return endLeaf;
  }

  private Instant now() {
    return Instant.ofEpochSecond(clock.instant().getEpochSecond());
  }

  // ------------------------------------------------------------------ users and sessions

  /**
   * Registers a user here (its Argon2id password hash in A) and federation-wide in C (once, by
   * whichever distributor registers it first): the same person may be a user of several
   * distributors, with a password at each.
   */
  public UserRow addUser(String userId, String name, String password) {
    id("userId", userId);
    name("name", name);
    String hash = argument(() -> Passwords.hash(password));
    Instant at = now();
    UserRow user = new UserRow(userId, name, hash, at);
    return a.read(
        "register user " + userId,
        ca -> {
          if (!PrivateStore.insertUser(ca, user)) {
            throw conflict("user " + userId + " is already registered here");
          }
          c.read(
              "record user " + userId,
              cc -> {
                OperationsStore.ensureUser(cc, userId, keys.name(), at);
                return null;
              });
          return user;
        });
  }

  public UserRow user(String userId) {
    return a.read("read user " + userId, ca -> PrivateStore.user(ca, userId))
        .orElseThrow(() -> notFound("no user " + userId + " here"));
  }

  /** The user whose password {@code password} is, from no particular address. */
  public String checkPassword(String userId, String password) {
    return checkPassword(userId, password, null);
  }

  /**
   * The user whose password {@code password} is. Failures are counted per user ID and per remote
   * address {@code from} (null: none) by {@link LoginThrottle}: a throttled key is refused before
   * the Argon2id check.
   *
   * @throws Refusal 401 if the user is unknown here or the password is wrong (one message for both,
   *     so that a guess does not learn which)
   * @throws LoginThrottle.ThrottledException if the user ID or the address had too many failures
   */
  public String checkPassword(String userId, String password, String from) {
    String userKey = userId == null ? null : "user:" + userId;
    String addressKey = from == null ? null : "address:" + from;
    throttle.check(userKey, addressKey);
    Optional<UserRow> user =
        userId == null
            ? Optional.empty()
            : a.read("read user " + userId, ca -> PrivateStore.user(ca, userId));
    if (user.isEmpty() || !Passwords.matches(password, user.get().passwordHash())) {
      throttle.failed(userKey, addressKey);
      throw unauthorized("wrong user ID or password");
    }
    throttle.succeeded(userKey);
    return userId;
  }

  /** A session record: the token itself is only returned, its SHA-256 is kept. */
  public record Session(String userId, String token, Instant expiresAt) {}

  /** Opens a session for a user who proves its password (from remote address {@code from}). */
  public Session openSession(String userId, String password, String from) {
    checkPassword(userId, password, from);
    String token = HEX.formatHex(Bytes.random(32));
    Instant at = now();
    Instant expires = at.plus(SESSION_LIFETIME);
    a.read(
        "open a session",
        ca -> {
          PrivateStore.insertSession(ca, sha256(token), userId, at, expires);
          return null;
        });
    return new Session(userId, token, expires);
  }

  /**
   * The user of an open session.
   *
   * @throws Refusal 401 if the token is unknown or expired
   */
  public String sessionUser(String token) {
    return a.read("check a session", ca -> PrivateStore.sessionUser(ca, sha256(token), now()))
        .orElseThrow(() -> unauthorized("the session token is unknown or expired"));
  }

  /**
   * Ends the session of {@code token}: it authenticates nothing from now on.
   *
   * @throws Refusal 401 if the token is unknown or expired
   */
  public void endSession(String token) {
    boolean ended =
        a.read("end a session", ca -> PrivateStore.deleteSession(ca, sha256(token), now()));
    if (!ended) {
      throw unauthorized("the session token is unknown or expired");
    }
  }

  // ------------------------------------------------------------------ billing

  /** A payment taken: the bills it settled, what is still owed. */
  public record PaymentTaken(long paymentId, int billsPaid, long stillOwedCents) {}

  /**
   * Takes a payment, settling the user's bills oldest first.
   *
   * @throws Refusal 400 for a non-positive amount, 404 for an unknown user, 409 if it is more than
   *     the user owes
   */
  public PaymentTaken pay(String userId, long amountCents) {
    if (amountCents <= 0) {
      throw badRequest("field 'amountCents' must be positive, got " + amountCents);
    }
    return a.read(
        "take a payment from " + userId,
        ca -> {
          PrivateStore.lockUser(ca, userId)
              .orElseThrow(() -> notFound("no user " + userId + " here"));
          long owed = PrivateStore.owed(ca, userId);
          if (amountCents > owed) {
            throw conflict(
                "payment of " + amountCents + " cents is more than the " + owed + " cents owed");
          }
          long left = amountCents;
          int settled = 0;
          for (BillRow b : PrivateStore.bills(ca, userId)) {
            if (left == 0) {
              break;
            }
            if (b.paid()) {
              continue;
            }
            long part = Math.min(left, b.amountCents() - b.paidCents());
            PrivateStore.payBill(ca, b.billId(), b.paidCents() + part);
            left -= part;
            if (b.paidCents() + part == b.amountCents()) {
              settled++;
            }
          }
          long id = PrivateStore.insertPayment(ca, userId, amountCents, now());
          return new PaymentTaken(id, settled, owed - amountCents);
        });
  }

  /** Everything a user's profile shows. */
  public record Profile(
      UserRow user,
      long owedCents,
      List<BillRow> bills,
      List<LicenseRow> licenses,
      List<DownloadRow> downloads,
      List<CopyRow> copies) {}

  public Profile profile(String userId) {
    return a.read(
        "read the profile of " + userId,
        ca -> {
          UserRow user =
              PrivateStore.user(ca, userId)
                  .orElseThrow(() -> notFound("no user " + userId + " here"));
          return new Profile(
              user,
              PrivateStore.owed(ca, userId),
              PrivateStore.bills(ca, userId),
              PrivateStore.licenses(ca, userId),
              PrivateStore.downloads(ca, userId),
              PrivateStore.copies(ca, userId));
        });
  }

  /** The licenses a user holds across the federation (DB C), newest last. */
  public List<UserLicenseRow> federationLicenses(String userId) {
    return c.read("read the licenses of " + userId, cc -> OperationsStore.userLicenses(cc, userId));
  }

  public CopyPolicy copyPolicy() {
    return a.read("read the copy policy", ca -> PrivateStore.setting(ca, COPY_POLICY))
        .map(CopyPolicy::parse)
        .orElse(CopyPolicy.FULL);
  }

  public void setCopyPolicy(CopyPolicy policy) {
    a.read(
        "set the copy policy",
        ca -> {
          PrivateStore.putSetting(ca, COPY_POLICY, policy.toString());
          return null;
        });
  }

  // ------------------------------------------------------------------ catalog (S31-S32)

  /**
   * Adds a content to the catalog: its data encrypted under Kc with a fresh nonce, kept in the
   * contents directory (never the plaintext), and its license ID recorded in C.
   *
   * @throws Refusal 400 naming a bad field, 409 if the content ID is taken
   */
  public ContentRow addContent(
      String contentId,
      String name,
      String codec,
      String licenseId,
      long priceCents,
      Terms terms,
      byte[] data) {
    id("contentId", contentId);
    name("name", name);
    id("codec", codec);
    id("licenseId", licenseId);
    price(priceCents);
    if (data == null) {
      throw badRequest("field 'data' is required");
    }
    byte[] nonce = Bytes.random(ContentPackage.NONCE_LENGTH);
    ContentRow row =
        new ContentRow(
            contentId, name, codec, licenseId, priceCents, terms, data.length, nonce, now());
    if (a.read("read content " + contentId, ca -> PrivateStore.content(ca, contentId))
        .isPresent()) {
      throw conflict("content " + contentId + " is already in the catalog");
    }
    Path file = dataFile(contentId, nonce);
    try {
      Files.createDirectories(contentsDir);
      AtomicFiles.replaceSecret(
          file, ContentPackage.crypt(keys.contentKey(contentId), nonce, data));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write content " + file + ": " + e, e);
    }
    return a.read(
        "add content " + contentId,
        ca -> {
          if (!PrivateStore.insertContent(ca, row)) {
            throw conflict("content " + contentId + " is already in the catalog");
          }
          c.read(
              "record the license of " + contentId,
              cc -> {
                OperationsStore.putContentLicense(cc, keys.name(), contentId, licenseId);
                return null;
              });
          return row;
        });
  }

  public List<ContentRow> contents() {
    return a.read("list contents", PrivateStore::contents);
  }

  public ContentRow content(String contentId) {
    return a.read("read content " + contentId, ca -> PrivateStore.content(ca, contentId))
        .orElseThrow(() -> notFound("no content " + contentId + " in the catalog"));
  }

  /** Adds an update offer of a content's license (S101). */
  public OfferRow addOffer(String contentId, String offerId, long priceCents, Terms terms) {
    id("offerId", offerId);
    price(priceCents);
    content(contentId);
    OfferRow offer = new OfferRow(offerId, contentId, priceCents, terms);
    return a.read(
        "add offer " + offerId,
        ca -> {
          if (!PrivateStore.insertOffer(ca, offer, now())) {
            throw conflict("offer " + offerId + " exists");
          }
          return offer;
        });
  }

  public List<OfferRow> offers(String contentId) {
    content(contentId);
    return a.read("list offers", ca -> PrivateStore.offers(ca, contentId));
  }

  private Path dataFile(String contentId, byte[] nonce) {
    return contentsDir.resolve(sha256(contentId) + "-" + HEX.formatHex(nonce) + ".data");
  }

  // ------------------------------------------------------------------ preregistration (S11-S14)

  /** A client registered: its row in C and the service data sealed to its drive. */
  public record Registration(ClientRow client, ServiceData serviceData) {}

  /** How long a registration challenge is good for. */
  public static final Duration CHALLENGE_LIFETIME = RegistrationChallenges.LIFETIME;

  /** A registration challenge for the drive to sign, and when it expires. */
  public record Challenge(byte[] challenge, Instant expiresAt) {}

  /**
   * A registration challenge for {@code userId} (before S11): the drive signs it, with this user ID
   * and this distributor's certificate, in its registration proof. Stateless (nothing is written):
   * see {@link RegistrationChallenges}; it expires {@link #CHALLENGE_LIFETIME} after now on this
   * distributor's clock.
   */
  public Challenge registrationChallenge(String userId) {
    RegistrationChallenges.Issued issued = challenges.issue(userId, now());
    return new Challenge(issued.challenge(), issued.expiresAt());
  }

  /**
   * Preregisters the drive of {@code driveCertificate} as a client of {@code userId} (S11-S14):
   * checks that it is a drive of the licensing authority (S11) and that the caller can use it: its
   * {@code proof} (an SDRP) answers {@code challenge}, issued here to this user and not expired,
   * and is signed by the certificate's Ed25519 key for this user and this distributor; then assigns
   * the next free leaf of this distributor's category (unique in C, S12), makes the client's
   * Ed25519 key pair and device node keys, seals them in the service data to the drive's X25519 key
   * (S13) and records the client in C (S14). Without the proof, anyone who learnt a drive's
   * (public) certificate could make it their client first and lock its owner out.
   *
   * <p>Idempotent for the same user and drive: a retry after a lost answer gets fresh service data
   * for the same leaf and client ID ({@link #retried}). A drive that installed nothing signs a
   * proof of a new challenge for it; one that installed service data refuses to sign again (10h),
   * so a retry after that can only post its old proof within that challenge's 5 minutes.
   *
   * @throws Refusal 400 if a field is missing or does not parse; 403 if the certificate is not the
   *     authority's or not a drive's, if the proof is by another drive, for another user,
   *     distributor or challenge, or its signature does not verify, if the challenge was not issued
   *     here to this user or was altered, or has expired, or if the client is revoked; 409 if the
   *     drive is another user's client or one of another distributor, or the category is full
   */
  public Registration registerClient(
      String userId, byte[] driveCertificate, byte[] challenge, byte[] proof) {
    if (driveCertificate == null) {
      throw badRequest("field 'driveCertificate' is required");
    }
    Certificate drive;
    try {
      drive = Certificate.decode(driveCertificate);
    } catch (ParameterException e) {
      throw badRequest("field 'driveCertificate' is not a certificate: " + e.getMessage());
    }
    if (!keys.certifiedByAuthority(drive, Certificate.Role.DRIVE)) {
      throw forbidden(
          "field 'driveCertificate' is not a drive certificate of the licensing authority");
    }
    checkProof(userId, drive, challenge, proof);
    user(userId);
    RawKeyPair client = Ed25519.generate();
    for (int attempt = 0; ; attempt++) {
      try {
        return c.transaction(
            "register a client",
            cc -> {
              Optional<ClientRow> existing = OperationsStore.clientOfDevice(cc, drive.subject());
              ClientRow row;
              if (existing.isPresent()) {
                row = retried(cc, existing.get(), userId, drive, client);
              } else {
                long highest = OperationsStore.highestLeaf(cc, firstLeaf, endLeaf);
                long leaf = highest < 0 ? firstLeaf : highest + 1;
                if (leaf >= endLeaf) {
                  throw conflict(
                      "category " + keys.category() + " is full: every leaf is handed out");
                }
                OperationsStore.ensureUser(cc, userId, keys.name(), now());
                row =
                    new ClientRow(
                        clientId(leaf),
                        leaf,
                        userId,
                        keys.name(),
                        drive.subject(),
                        HEX.formatHex(client.publicKey()),
                        HEX.formatHex(drive.encode()),
                        now());
                OperationsStore.insertClient(cc, row);
              }
              String clientId = row.clientId();
              long leaf = row.leafId();
              ServiceData data;
              try {
                data =
                    ServiceData.seal(
                        keys.name(),
                        clientId,
                        drive.subject(),
                        leaf,
                        tree.depth(),
                        client.publicKey(),
                        new ServiceData.Secrets(
                            client.privateKey(), tree.deviceKeys(leaf).encode()),
                        drive.x25519PublicKey(),
                        keys.certificate(),
                        keyPair);
              } catch (AuthenticationException e) {
                throw forbidden("the drive certificate's X25519 key is of small order");
              }
              return new Registration(row, data);
            });
      } catch (StoreException e) {
        if (attempt + 1 < ATTEMPTS && unique(e)) {
          continue; // the leaf was taken meanwhile: the next one
        }
        throw e;
      }
    }
  }

  /**
   * The drive's proof of possession (S11): the proof's fields first, so that the refusal names what
   * is wrong, then the challenge's MAC and expiry, then the signature under the drive certificate's
   * Ed25519 key. Nothing is written before it passes.
   */
  private void checkProof(String userId, Certificate drive, byte[] challenge, byte[] proof) {
    if (challenge == null) {
      throw badRequest(
          "field 'challenge' is required: POST /clients/challenges gives one for the drive to sign");
    }
    if (proof == null) {
      throw badRequest(
          "field 'proof' is required: the drive's registration proof of the challenge (PROVE"
              + " REGISTRATION, then REGISTRATION PROOF)");
    }
    RegistrationProof p;
    try {
      p = RegistrationProof.decode(proof);
    } catch (ParameterException e) {
      throw badRequest("field 'proof' is not a registration proof: " + e.getMessage());
    }
    if (!p.deviceId().equals(drive.subject())) {
      throw forbidden(
          "the proof is by drive " + p.deviceId() + ", not by drive " + drive.subject());
    }
    if (!p.distributor().equals(keys.certificate())) {
      throw forbidden(
          "the proof is for distributor " + p.distributor().subject() + ", not " + keys.name());
    }
    if (!p.userId().equals(userId)) {
      throw forbidden("the proof is for user " + p.userId() + ", not " + userId);
    }
    if (!Arrays.equals(p.challenge(), challenge)) {
      throw forbidden("the proof answers another challenge than field 'challenge'");
    }
    challenges.check(userId, challenge, now());
    if (!p.signedBy(drive)) {
      throw forbidden(
          "the proof's signature is not by the key of drive " + drive.subject() + "'s certificate");
    }
  }

  /**
   * A registration retried (its answer lost on the way, S13): the same user's client of the same
   * drive here, not revoked, keeps its leaf and client ID and gets a new client key pair, recorded
   * in C, in fresh service data. Any other registration of a drive that is a client is 409.
   */
  private ClientRow retried(
      Connection cc, ClientRow existing, String userId, Certificate drive, RawKeyPair client)
      throws SQLException {
    if (!existing.userId().equals(userId) || !existing.distributor().equals(keys.name())) {
      throw conflict("drive " + drive.subject() + " is client " + existing.clientId() + " already");
    }
    if (OperationsStore.revocation(cc, existing.clientId()).isPresent()) {
      throw forbidden("client " + existing.clientId() + " is revoked");
    }
    String publicKey = HEX.formatHex(client.publicKey());
    String certificate = HEX.formatHex(drive.encode());
    OperationsStore.rekeyClient(cc, existing.clientId(), publicKey, certificate);
    return new ClientRow(
        existing.clientId(),
        existing.leafId(),
        userId,
        existing.distributor(),
        existing.deviceId(),
        publicKey,
        certificate,
        existing.registeredAt());
  }

  /** A client's ID in the federation: its leaf, which is unique. */
  public static String clientId(long leafId) {
    return "leaf-" + leafId;
  }

  public ClientRow client(String clientId) {
    return c.read("read client " + clientId, cc -> OperationsStore.client(cc, clientId))
        .orElseThrow(() -> notFound("no client " + clientId + " in the federation"));
  }

  /** A client of {@code userId} that is not revoked: the checks of S73, S33 and S125-S128. */
  private ClientRow ownClient(String userId, String clientId, String field) {
    id(field, clientId);
    return c.read("read client " + clientId, cc -> ownClient(cc, userId, clientId));
  }

  private static ClientRow ownClient(Connection cc, String userId, String clientId)
      throws SQLException {
    return ownClient(cc, userId, clientId, false);
  }

  /** As {@link #ownClient(Connection, String, String)}; with {@code lock}, its row locked. */
  private static ClientRow ownClient(Connection cc, String userId, String clientId, boolean lock)
      throws SQLException {
    OperationsStore.CheckedClient checked =
        OperationsStore.checkedClient(cc, clientId, lock)
            .orElseThrow(() -> notFound("no client " + clientId + " in the federation"));
    ClientRow client = checked.client();
    if (!client.userId().equals(userId)) {
      throw forbidden("client " + clientId + " is not yours");
    }
    if (checked.revoked()) {
      throw forbidden("client " + clientId + " is revoked");
    }
    return client;
  }

  // ------------------------------------------------------------------ revocation

  /**
   * Revokes a client federation-wide: records it in C with the next EKB version, so every
   * distributor's next EKB leaves its leaf out, and it gets no more licenses, certificates or
   * downloads.
   *
   * @throws Refusal 404 if the client is unknown, 409 if it is revoked already
   */
  public RevocationRow revoke(String clientId) {
    id("clientId", clientId);
    ClientRow client = client(clientId);
    for (int attempt = 0; ; attempt++) {
      try {
        return c.read(
            "revoke client " + clientId,
            cc -> {
              Optional<RevocationRow> done = OperationsStore.revocation(cc, clientId);
              if (done.isPresent()) {
                throw conflict(
                    "client "
                        + clientId
                        + " is revoked already (EKB version "
                        + done.get().version()
                        + ")");
              }
              RevocationRow row =
                  new RevocationRow(
                      OperationsStore.ekbVersion(cc) + 1,
                      clientId,
                      client.leafId(),
                      keys.name(),
                      now());
              OperationsStore.insertRevocation(cc, row);
              return row;
            });
      } catch (StoreException e) {
        if (attempt + 1 < ATTEMPTS && unique(e)) {
          continue; // the version (or the client) was taken meanwhile: look again
        }
        throw e;
      }
    }
  }

  public Optional<RevocationRow> revocation(String clientId) {
    return c.read("read revocations", cc -> OperationsStore.revocation(cc, clientId));
  }

  /** The EKB version in force: the count of revocations in C. */
  public int ekbVersion() {
    return c.read("read the EKB version", OperationsStore::ekbVersion);
  }

  /** The current EKB: KR of the current version for every leaf not revoked. */
  public Ekb ekb() {
    return c.read("read revocations", this::currentEkb);
  }

  /**
   * The EKB of the version in force in C. Revocations are only ever added, each with the next
   * version, so an EKB is built once per version (174 ms for 10,000 revoked of 2^20 leaves) and
   * every download until the next revocation reuses it.
   */
  private Ekb currentEkb(Connection cc) throws SQLException {
    int version = OperationsStore.ekbVersion(cc);
    Ekb cached = lastEkb;
    if (cached != null && cached.version() == version) {
      return cached;
    }
    List<RevocationRow> revocations = OperationsStore.revocations(cc);
    int built = revocations.isEmpty() ? 0 : revocations.get(revocations.size() - 1).version();
    Ekb ekb = tree.ekb(built, revocations.stream().map(RevocationRow::leafId).toList());
    lastEkb = ekb;
    return ekb;
  }

  // ------------------------------------------------------------------ download (S33-S38)

  /** A content package and the EKB version its header carries. */
  public record Package(byte[] bytes, int ekbVersion) {}

  /**
   * The content package (SDCP) of a content for one of the user's clients (S33-S38): a header with
   * the current EKB and Kc wrapped under its KR, then the stored AES-256-CTR data. The download is
   * recorded in A and C.
   *
   * @throws Refusal 404 unknown content or client, 403 not the user's client or revoked
   */
  public Package contentPackage(String userId, String contentId, String clientId) {
    ContentRow content = content(contentId);
    ClientRow client = ownClient(userId, clientId, "clientId");
    Instant at = now();
    Ekb ekb =
        c.read(
            "record a download",
            cc -> {
              Ekb current = currentEkb(cc);
              OperationsStore.insertDownload(
                  cc, userId, contentId, content.licenseId(), client.clientId(), keys.name(), at);
              return current;
            });
    byte[] data;
    try {
      data = Files.readAllBytes(dataFile(contentId, content.nonce()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the data of content " + contentId, e);
    }
    ContentPackage.Header header =
        ContentPackage.Header.create(
            contentId,
            content.codec(),
            content.licenseId(),
            keys.name(),
            content.length(),
            content.nonce(),
            ekb.encode(),
            keys.contentKey(contentId),
            tree.rootKey(ekb.version()));
    a.read(
        "record a download",
        ca -> {
          PrivateStore.insertDownload(
              ca, new DownloadRow(userId, contentId, clientId, ekb.version(), at));
          return null;
        });
    return new Package(ContentPackage.file(header, data), ekb.version());
  }

  // ------------------------------------------------------------------ licenses (S71-S85)

  /** A license issued, with its bill (null when free). */
  public record Issue(License license, BillRow bill) {}

  /**
   * Issues the license of a content for one of the user's clients (S71-S85): user and client
   * checked (S73), credit checked (no unpaid bill, S75), the license with the catalog's use
   * conditions and the client's leaf ID signed by this distributor (S79-S82), recorded in C and A,
   * and billed last, in A's transaction (S83-S85).
   *
   * @throws Refusal 404 unknown content or client, 403 not the user's client or revoked, 402 unpaid
   */
  public Issue issueLicense(String userId, String contentId, String clientId) {
    return issueLicense(Caller.user(userId), contentId, clientId);
  }

  /**
   * As {@link #issueLicense(String, String, String)} for {@code caller}, whose session (if it is
   * one) is checked in the batch the request joins ({@link IssueBatches}).
   *
   * @throws Refusal 401 if the session is unknown or expired
   */
  public Issue issueLicense(Caller caller, String contentId, String clientId) {
    id("contentId", contentId);
    id("clientId", clientId);
    IssueBatches.LicenseGrant g =
        batches.license(new IssueBatches.LicenseOrder(caller, contentId, clientId));
    License license =
        License.sign(
            g.serial(),
            g.licenseId(),
            g.contentId(),
            g.leafId(),
            g.conditions(),
            keys.certificate(),
            signer);
    return new Issue(license, g.bill());
  }

  /**
   * Updates a license with an offer (S101-S104): a new SDLI with the same license ID, a new serial
   * and the offer's use conditions, for the same client, billed the offer's price.
   *
   * @throws Refusal 404 unknown license or offer, 403 not the user's or the client revoked, 409 an
   *     offer for another content, 402 unpaid
   */
  public Issue updateLicense(String userId, String serial, String offerId) {
    LicenseRow old = ownLicense(userId, serial);
    id("offerId", offerId);
    OfferRow offer =
        a.read("read offer " + offerId, ca -> PrivateStore.offer(ca, offerId))
            .orElseThrow(() -> notFound("no offer " + offerId));
    if (!offer.contentId().equals(old.contentId())) {
      throw conflict(
          "offer " + offerId + " is for content " + offer.contentId() + ", not " + old.contentId());
    }
    List<String> written = new ArrayList<>();
    try {
      return a.read(
          "update a license",
          ca -> {
            Issue issued =
                issue(
                    ca,
                    userId,
                    old.clientId(),
                    old.contentId(),
                    old.licenseId(),
                    offer.terms(),
                    offer.priceCents(),
                    "update",
                    old.serial());
            // C has committed the license; should A's commit fail, C's row is withdrawn.
            written.add(HEX.formatHex(issued.license().serial()));
            return issued;
          });
    } catch (RuntimeException failure) {
      if (!written.isEmpty()) {
        batches.withdrawAfter(failure, written, List.of());
      }
      throw failure;
    }
  }

  private LicenseRow ownLicense(String userId, String serial) {
    checkSerial(serial);
    return a.read("read license " + serial, ca -> ownLicense(ca, userId, serial));
  }

  private static LicenseRow ownLicense(Connection ca, String userId, String serial)
      throws SQLException {
    LicenseRow license =
        PrivateStore.license(ca, serial)
            .orElseThrow(() -> notFound("no license " + serial + " issued here"));
    if (!license.userId().equals(userId)) {
      throw forbidden("license " + serial + " is not yours");
    }
    return license;
  }

  private static void checkSerial(String serial) {
    if (serial == null || !SERIAL.matcher(serial).matches()) {
      throw badRequest("a license serial is 32 lower-case hex digits, got '" + serial + "'");
    }
  }

  /**
   * The common part of a purchase and an update, in the caller's transaction of A: the user's row
   * locked and the credit checked first (A before C in every flow: the two databases cannot see
   * each other's locks, so one order keeps them from waiting on each other), then in one
   * transaction of C the client checked and the license recorded, then the bill and the license in
   * A.
   */
  private Issue issue(
      Connection ca,
      String userId,
      String clientId,
      String contentId,
      String licenseId,
      Terms terms,
      long price,
      String kind,
      String replaces)
      throws SQLException {
    Instant at = now();
    lockAndCheckCredit(ca, userId);
    return c.read(
        "record a license",
        cc -> {
          ClientRow client = ownClient(cc, userId, clientId);
          License license =
              License.sign(
                  Bytes.random(License.SERIAL_LENGTH),
                  licenseId,
                  contentId,
                  client.leafId(),
                  conditions(terms, at),
                  keys.certificate(),
                  signer);
          String serial = HEX.formatHex(license.serial());
          OperationsStore.insertUserLicense(
              cc,
              new UserLicenseRow(
                  serial,
                  userId,
                  licenseId,
                  contentId,
                  client.clientId(),
                  keys.name(),
                  terms.copies(),
                  at));
          BillRow bill = bill(ca, userId, kind, serial, price, at);
          PrivateStore.insertLicense(
              ca, licenseRow(license, userId, client, kind, replaces, bill, at));
          return new Issue(license, bill);
        });
  }

  // ------------------------------------------------------------------ copies (S121-S141)

  /** A contents copy certificate issued, with its bill (null when free). */
  public record CopyIssued(ContentsCopyCertificate certificate, BillRow bill) {}

  /**
   * Issues a contents copy certificate (S121-S141): the user's license issued here (S123), client B
   * the same user's through C and not revoked (S125-S128), the copy count of the license within its
   * copy certificates allowed (S129-S131, counted in C under the source client's row lock), then
   * the SDCC with a license for B's leaf, both signed by this distributor (S135-S140), the history
   * in C and A, and the bill of this distributor's copy policy (S141).
   *
   * <p>The license for B has the source license's period and plays, and no copy certificates or
   * removable copies of its own: a copy is not copied on.
   *
   * @throws Refusal 404 unknown license or client, 403 not the user's or revoked, 409 no copies
   *     left or B is A, 402 unpaid
   */
  public CopyIssued issueCopy(String userId, String licenseSerial, String destinationClientId) {
    return issueCopy(Caller.user(userId), licenseSerial, destinationClientId);
  }

  /**
   * As {@link #issueCopy(String, String, String)} for {@code caller}, whose session (if it is one)
   * is checked in the batch the request joins ({@link IssueBatches}). The batch has recorded the
   * certificate in C and A when this signs it (S135-S140): an answered certificate is durable.
   *
   * @throws Refusal 401 if the session is unknown or expired
   */
  public CopyIssued issueCopy(Caller caller, String licenseSerial, String destinationClientId) {
    checkSerial(licenseSerial);
    id("destinationClientId", destinationClientId);
    IssueBatches.CopyGrant g =
        batches.copy(new IssueBatches.CopyOrder(caller, licenseSerial, destinationClientId));
    // Bound to its certificate: B's drive installs it only by MOVE IN of this one.
    License license =
        License.sign(
            g.licenseSerial(),
            g.licenseId(),
            g.contentId(),
            g.destinationLeafId(),
            g.certificateSerial(),
            g.conditions(),
            keys.certificate(),
            signer);
    ContentsCopyCertificate certificate =
        ContentsCopyCertificate.sign(
            g.certificateSerial(),
            g.contentId(),
            g.sourceLeafId(),
            g.destinationLeafId(),
            license,
            keys.certificate(),
            signer);
    return new CopyIssued(certificate, g.bill());
  }

  // ------------------------------------------------------------------ helpers

  /** Locks the user's row in A and refuses (402) while a bill is unpaid (S75, S131). */
  private static void lockAndCheckCredit(Connection ca, String userId) throws SQLException {
    PrivateStore.lockUser(ca, userId).orElseThrow(() -> notFound("no user " + userId + " here"));
    refuseUnpaid(userId, PrivateStore.owed(ca, userId));
  }

  static void refuseUnpaid(String userId, long owed) {
    if (owed > 0) {
      throw new Refusal(
          Refusal.Kind.PAYMENT_REQUIRED,
          "user " + userId + " has unpaid bills (" + owed + " cents owed): pay them first");
    }
  }

  private static BillRow bill(
      Connection ca, String userId, String kind, String serial, long price, Instant at)
      throws SQLException {
    if (price == 0) {
      return null;
    }
    long id = PrivateStore.insertBill(ca, userId, kind, serial, price, at);
    return PrivateStore.bill(ca, id).orElseThrow();
  }

  private static LicenseRow licenseRow(
      License license,
      String userId,
      ClientRow client,
      String kind,
      String replaces,
      BillRow bill,
      Instant at) {
    UseConditions u = license.conditions();
    return new LicenseRow(
        HEX.formatHex(license.serial()),
        license.licenseId(),
        license.contentId(),
        userId,
        client.clientId(),
        client.leafId(),
        u.notBefore(),
        u.notAfter(),
        u.plays(),
        u.copyCertificates(),
        u.removableCopies(),
        kind,
        replaces,
        bill == null ? 0 : bill.billId(),
        at);
  }

  /** The use conditions of {@code terms} for a license issued at {@code at} (S81). */
  static UseConditions conditions(Terms terms, Instant at) {
    long from = at.getEpochSecond();
    return new UseConditions(
        from,
        terms.days() == 0 ? UseConditions.NO_END : from + terms.days() * 86_400L,
        terms.plays(),
        terms.copies(),
        terms.removableCopies());
  }

  private static boolean unique(StoreException e) {
    return e.getCause() instanceof SQLException s && Database.uniqueViolation(s);
  }

  static String sha256(String text) {
    try {
      return HEX.formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of Java", e);
    }
  }

  /** Checks an ID field: 1..64 printable ASCII. */
  static void id(String field, String value) {
    if (value == null) {
      throw badRequest("field '" + field + "' is required");
    }
    if (value.isEmpty()
        || value.length() > ID_MAX
        || !value.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7F)) {
      throw badRequest(
          "field '"
              + field
              + "' must be 1.."
              + ID_MAX
              + " printable ASCII characters, got '"
              + value
              + "'");
    }
  }

  private static void name(String field, String value) {
    if (value == null || value.isBlank() || value.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw badRequest("field '" + field + "' must be 1..255 bytes of UTF-8");
    }
  }

  private static void price(long priceCents) {
    if (priceCents < 0) {
      throw badRequest("field 'priceCents' must not be negative, got " + priceCents);
    }
  }

  private static <T> T argument(java.util.function.Supplier<T> check) {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      throw badRequest(e.getMessage());
    }
  }

  static Refusal badRequest(String message) {
    return new Refusal(Refusal.Kind.BAD_REQUEST, message);
  }

  static Refusal unauthorized(String message) {
    return new Refusal(Refusal.Kind.UNAUTHORIZED, message);
  }

  static Refusal forbidden(String message) {
    return new Refusal(Refusal.Kind.FORBIDDEN, message);
  }

  static Refusal notFound(String message) {
    return new Refusal(Refusal.Kind.NOT_FOUND, message);
  }

  static Refusal conflict(String message) {
    return new Refusal(Refusal.Kind.CONFLICT, message);
  }
}
