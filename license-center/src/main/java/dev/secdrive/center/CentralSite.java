package dev.secdrive.center;

import dev.secdrive.center.crypto.Crypto;
import dev.secdrive.center.store.Bill;
import dev.secdrive.center.store.Copy;
import dev.secdrive.center.store.OverpaymentException;
import dev.secdrive.center.store.Store;
import dev.secdrive.center.store.Title;
import dev.secdrive.center.store.UnknownUserException;
import dev.secdrive.center.store.UnpaidBillsException;
import dev.secdrive.center.store.User;
import dev.secdrive.kit.crypto.AuthenticationException;
import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.kit.crypto.Ed25519;
import dev.secdrive.kit.crypto.X25519;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.ConversionGrant;
import dev.secdrive.protocol.security.CopyCertificate;
import dev.secdrive.protocol.security.CopyRequests;
import dev.secdrive.protocol.security.KeyLabels;
import dev.secdrive.protocol.security.ParameterException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * What the central site does (seed 003 FIG. 4 and FIG. 8), whoever asks: register titles in the
 * contents identifier file and users in the user profile database, issue copy certificates (scheme
 * 1) and conversion grants (scheme 2) with a bill each, take payments. Every refusal is a {@link
 * Refusal} naming the problem; a refused request writes nothing, and a copy is billed only once
 * everything the site can check has passed, in the transaction that issues it.
 */
public final class CentralSite {

  /** Title IDs are str8 on the master's catalog and in certificates: 1..64 printable ASCII. */
  public static final int TITLE_ID_MAX = 64;

  /** User and medium IDs: 1..255 printable ASCII. */
  public static final int ID_MAX = 255;

  private final CenterKeys keys;
  private final Store store;
  private final Clock clock;

  public CentralSite(CenterKeys keys, Store store, Clock clock) {
    this.keys = keys;
    this.store = store;
    this.clock = clock;
    sealPlainTitleKeys();
  }

  /**
   * Kd of titles registered before keys were sealed at rest (32 bytes in the row) is sealed now.
   */
  private void sealPlainTitleKeys() {
    for (Title t : store.titles()) {
      if (t.scheme() == 1 && t.kd().length == Crypto.KEY_LENGTH) {
        sealPlainTitleKey(t);
      }
    }
  }

  /**
   * Seals a scheme-1 row's plain Kd and returns it. The replacement only happens if the row still
   * holds that plain Kd, so a center sealing it at the same time wins without harm.
   */
  private byte[] sealPlainTitleKey(Title title) {
    byte[] kd = title.kd().clone();
    store.replaceTitleKey(title.titleId(), kd, keys.sealTitleKey(title.titleId(), kd));
    return kd;
  }

  public CenterKeys keys() {
    return keys;
  }

  // ------------------------------------------------------------------ titles

  /** A registered title and its encryption key (Kd or Ka) for the publisher who authors it. */
  public record RegisteredTitle(Title title, byte[] key) {}

  /**
   * Registers a title in the contents identifier file. Scheme 1: a fresh random Kd, kept by the
   * site to seal to users, stored sealed under a key derived from KM (a copy of the database opens
   * no title). Scheme 2: Ka = KDF(KM, "master-conversion", title ID), derived and never stored.
   */
  public RegisteredTitle registerTitle(String titleId, String name, int scheme, long priceCents) {
    checkId("titleId", titleId, TITLE_ID_MAX);
    checkName("name", name);
    if (scheme != 1 && scheme != 2) {
      throw Refusal.badRequest("field 'scheme' must be 1 or 2, got " + scheme);
    }
    if (priceCents < 0) {
      throw Refusal.badRequest("field 'priceCents' must not be negative, got " + priceCents);
    }
    byte[] kd = scheme == 1 ? Bytes.random(Crypto.KEY_LENGTH) : null;
    Title title =
        new Title(
            titleId,
            name,
            scheme,
            kd == null ? null : keys.sealTitleKey(titleId, kd),
            priceCents,
            now());
    if (!store.insertTitle(title)) {
      throw Refusal.conflict("title " + titleId + " is already registered");
    }
    return new RegisteredTitle(title, key(title));
  }

  /** The title's encryption key again, for its publisher. */
  public byte[] titleKey(String titleId) {
    return key(title(titleId));
  }

  /**
   * Kd (scheme 1) or Ka (scheme 2). A scheme-1 row holding 32 bytes of plain Kd (registered by an
   * older center sharing the database after this one started) is sealed now. Writes to the store,
   * so not to be called inside one of its transactions.
   */
  private byte[] key(Title title) {
    if (title.scheme() != 1) {
      return keys.derive(KeyLabels.MASTER_CONVERSION, title.titleId());
    }
    if (title.kd().length == Crypto.KEY_LENGTH) {
      return sealPlainTitleKey(title);
    }
    return keys.openTitleKey(title.titleId(), title.kd());
  }

  public List<Title> titles() {
    return store.titles();
  }

  /**
   * @throws Refusal NOT_FOUND if the contents identifier file does not list it (FIG. 7 S12)
   */
  public Title title(String titleId) {
    checkId("titleId", titleId, TITLE_ID_MAX);
    return store
        .title(titleId)
        .orElseThrow(
            () ->
                Refusal.notFound(
                    "unknown title " + titleId + " (S12: not in the contents identifier file)"));
  }

  // ------------------------------------------------------------------ users

  /**
   * Registers a user with the X25519 user key KU (registered, but no title key is sealed to it:
   * they go to the target drive) and the Ed25519 public key that verifies the user's copy requests.
   */
  public User registerUser(String userId, String name, byte[] userKey, byte[] signingKey) {
    checkId("userId", userId, ID_MAX);
    checkName("name", name);
    if (userKey.length != Crypto.KEY_LENGTH) {
      throw Refusal.badRequest(
          "field 'userKey' must be a 32-byte X25519 public key, got " + userKey.length + " bytes");
    }
    try {
      // A key of small order would make every key sealed to it readable by anyone.
      X25519.agree(X25519.generate().privateKey(), userKey);
    } catch (AuthenticationException e) {
      throw Refusal.badRequest(
          "field 'userKey' is not a usable X25519 public key: " + e.getMessage());
    }
    if (signingKey.length != Crypto.KEY_LENGTH) {
      throw Refusal.badRequest(
          "field 'signingKey' must be a 32-byte Ed25519 public key, got "
              + signingKey.length
              + " bytes");
    }
    User user = new User(userId, name, userKey.clone(), signingKey.clone(), now());
    if (!store.insertUser(user)) {
      throw Refusal.conflict("user " + userId + " is already registered");
    }
    return user;
  }

  /** A user's profile: who, the copies issued and the bills. */
  public record Profile(User user, List<Copy> copies, List<Bill> bills, long owedCents) {}

  public Profile profile(String userId) {
    User user = user(userId);
    List<Bill> bills = store.bills(userId);
    long owed = 0;
    for (Bill b : bills) {
      owed += b.amountCents() - b.paidCents();
    }
    return new Profile(user, store.copies(userId), bills, owed);
  }

  private User user(String userId) {
    checkId("userId", userId, ID_MAX);
    return store.user(userId).orElseThrow(() -> unknownUser(userId));
  }

  /**
   * The user of a copy request, once {@code signature} verifies with the user's signing key over
   * {@code signed} (API.md "Signed copy requests"): nothing else is looked at before. An unknown
   * user, a user without a signing key and a signature that does not verify are one refusal, with
   * one message and the same work done, so that a request never tells whether a user ID exists.
   *
   * @throws Refusal UNAUTHORIZED for a request without signature, FORBIDDEN otherwise
   */
  private User signedBy(String userId, byte[] signed, byte[] signature) {
    if (signature == null) {
      throw new Refusal(
          Refusal.Kind.UNAUTHORIZED,
          "copy requests must be signed: field 'signature' (the Ed25519 signature of user "
              + userId
              + "'s signing key over the request, API.md \"Signed copy requests\") is missing");
    }
    Optional<User> user = store.user(userId).filter(u -> u.signingKey() != null);
    boolean verified =
        signature.length == CopyRequests.SIGNATURE_LENGTH
            && Ed25519.verify(user.map(User::signingKey).orElse(NOBODY), signed, signature);
    if (!verified || user.isEmpty()) {
      throw notSignedBy(userId);
    }
    return user.get();
  }

  /** Verifies nothing: the key an unknown user's request is checked against, to take as long. */
  private static final byte[] NOBODY = Ed25519.generate().publicKey();

  private static Refusal notSignedBy(String userId) {
    return new Refusal(
        Refusal.Kind.FORBIDDEN,
        "the request is not signed by user "
            + userId
            + ": no user of that ID registered here signed these fields with their signing key");
  }

  private static Refusal unknownUser(String userId) {
    return Refusal.notFound("unknown user " + userId + " (not registered at the central site)");
  }

  /** Takes a payment and settles the user's bills oldest first. */
  public Store.Payment pay(String userId, long amountCents) {
    checkId("userId", userId, ID_MAX);
    if (amountCents <= 0) {
      throw Refusal.badRequest("field 'amountCents' must be positive, got " + amountCents);
    }
    try {
      return store.pay(userId, amountCents, now()).orElseThrow(() -> unknownUser(userId));
    } catch (OverpaymentException e) {
      throw Refusal.conflict("user " + userId + ": " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------ issuing

  /**
   * Scheme 1's answer: CS, which carries Kd sealed to the target drive, with the bill the copy
   * made.
   *
   * @param reissued true if the copy existed and this is its certificate again (no new bill)
   */
  public record CertificateIssue(CopyCertificate certificate, Bill bill, boolean reissued) {}

  /**
   * Scheme 1 (FIG. 4): the copy certificate CS over (title, medium, user, target drive, serial,
   * time) signed by the center, carrying Kd sealed to the target drive's certified X25519 key
   * (label "copy", AAD title ‖ medium ‖ device). Nobody but that drive opens Kd, and it installs it
   * only for that medium (INSTALL COPY).
   *
   * @param driveCertificate the target drive's certificate, as the drive reports it
   * @param signature the user's signature over the request (API.md "Signed copy requests")
   */
  public CertificateIssue issueCertificate(
      String userId, String titleId, String mediumId, byte[] driveCertificate, byte[] signature) {
    checkRequest(userId, titleId, mediumId, driveCertificate);
    signedBy(
        userId,
        CopyRequests.certificate(
            keys.certificate().encode(), userId, titleId, mediumId, driveCertificate),
        signature);
    Title title = title(titleId);
    requireScheme(title, 1, "/copies/conversion");
    Certificate drive = targetDrive(driveCertificate);
    String deviceId = drive.subject();
    byte[] kd = key(title);
    Crypto.Sealed sealed =
        seal(
            drive.x25519PublicKey(),
            KeyLabels.COPY,
            CopyCertificate.aad(titleId, mediumId, deviceId),
            kd,
            "drive " + deviceId + "'s key");
    Arrays.fill(kd, (byte) 0);
    Store.Issued<CopyCertificate> issued =
        issue(
            new Store.CopyRequest(userId, titleId, mediumId, deviceId, driveKey(drive), 1),
            title,
            (serial, at) -> {
              CopyCertificate unsigned =
                  new CopyCertificate(
                      titleId,
                      mediumId,
                      userId,
                      deviceId,
                      serial,
                      at.getEpochSecond(),
                      sealed.ephemeralPublicKey(),
                      sealed.ciphertext(),
                      keys.certificate().encode(),
                      new byte[Certificate.SIGNATURE_LENGTH]);
              return unsigned.withSignature(keys.sign(unsigned.signedBytes()));
            });
    return new CertificateIssue(issued.document(), issued.bill(), issued.reissued());
  }

  /**
   * Scheme 2's answer: the signed grant, with the bill the copy made.
   *
   * @param reissued true if the copy existed and this is a grant for it again (no new bill)
   */
  public record ConversionIssue(ConversionGrant grant, Bill bill, boolean reissued) {}

  /**
   * Scheme 2 (FIG. 8): Ku = KDF(KM, "medium-conversion", medium ID) and Ka = KDF(KM,
   * "master-conversion", title ID), sealed to the target drive's certified X25519 key (label
   * "conversion", AAD title ‖ medium ‖ device) and signed by the center.
   *
   * @param driveCertificate the target drive's certificate, as the drive reports it
   * @param signature the user's signature over the request (API.md "Signed copy requests")
   */
  public ConversionIssue issueConversion(
      String userId, String titleId, String mediumId, byte[] driveCertificate, byte[] signature) {
    checkRequest(userId, titleId, mediumId, driveCertificate);
    signedBy(
        userId,
        CopyRequests.conversion(
            keys.certificate().encode(), userId, titleId, mediumId, driveCertificate),
        signature);
    Title title = title(titleId);
    requireScheme(title, 2, "/copies/certificate");
    Certificate drive = targetDrive(driveCertificate);
    String deviceId = drive.subject();
    byte[] ku = keys.derive(KeyLabels.MEDIUM_CONVERSION, mediumId);
    byte[] ka = keys.derive(KeyLabels.MASTER_CONVERSION, titleId);
    Crypto.Sealed sealed =
        seal(
            drive.x25519PublicKey(),
            KeyLabels.CONVERSION,
            ConversionGrant.aad(titleId, mediumId, deviceId),
            Bytes.concat(ku, ka),
            "drive " + deviceId + "'s key");
    Store.Issued<ConversionGrant> issued =
        issue(
            new Store.CopyRequest(userId, titleId, mediumId, deviceId, driveKey(drive), 2),
            title,
            (serial, at) -> {
              ConversionGrant unsigned =
                  new ConversionGrant(
                      titleId,
                      mediumId,
                      deviceId,
                      serial,
                      sealed.ephemeralPublicKey(),
                      sealed.ciphertext(),
                      keys.certificate().encode(),
                      new byte[Certificate.SIGNATURE_LENGTH]);
              return unsigned.withSignature(keys.sign(unsigned.signedBytes()));
            });
    return new ConversionIssue(issued.document(), issued.bill(), issued.reissued());
  }

  /** The fields of a copy request, checked before anything else is looked at. */
  private static void checkRequest(
      String userId, String titleId, String mediumId, byte[] driveCertificate) {
    checkId("userId", userId, ID_MAX);
    checkId("titleId", titleId, TITLE_ID_MAX);
    checkId("mediumId", mediumId, ID_MAX);
    if (driveCertificate == null) {
      throw Refusal.badRequest(
          "field 'driveCertificate' is missing: both schemes seal the title's keys to the target"
              + " drive");
    }
    if (driveCertificate.length > 0xFFFF) {
      throw Refusal.badRequest("field 'driveCertificate' is longer than 65535 bytes");
    }
  }

  /**
   * The target drive of a copy: a drive certificate the licensing authority signed. Checked before
   * the copy is billed, as everything the site can check is.
   */
  private Certificate targetDrive(byte[] driveCertificate) {
    Certificate drive;
    try {
      drive = Certificate.decode(driveCertificate);
    } catch (ParameterException e) {
      throw Refusal.badRequest("field 'driveCertificate' is malformed: " + e.getMessage());
    }
    if (drive.role() != Certificate.Role.DRIVE) {
      throw new Refusal(
          Refusal.Kind.FORBIDDEN,
          "the drive certificate has role "
              + drive.role()
              + ", not DRIVE: the title's keys go to drives only");
    }
    if (!keys.certifiedByAuthority(drive, Certificate.Role.DRIVE)) {
      throw new Refusal(
          Refusal.Kind.FORBIDDEN,
          "the drive certificate of "
              + drive.subject()
              + " is not signed by the licensing authority");
    }
    return drive;
  }

  private interface Document<T> {
    T make(long serial, Instant at);
  }

  /** The drive's key a copy is recorded with: its certified X25519 key, lower-case hex. */
  private static String driveKey(Certificate drive) {
    return HexFormat.of().formatHex(drive.x25519PublicKey());
  }

  /**
   * Issues through the store: a request for a (user, title, medium, drive) that has a copy makes
   * that copy's document again (same serial and issue time, no new bill), so a copy that failed
   * after the answer can be retried in its drive even while its own bill is unpaid. The drive is
   * its device ID and certified key: the document is sealed to that key, so it is the same copy.
   */
  private <T> Store.Issued<T> issue(Store.CopyRequest request, Title title, Document<T> document) {
    try {
      return store.issue(request, title.priceCents(), now(), document::make);
    } catch (UnpaidBillsException e) {
      throw new Refusal(
          Refusal.Kind.PAYMENT_REQUIRED,
          "user "
              + request.userId()
              + " has "
              + e.count()
              + " unpaid bill(s) totalling "
              + e.totalCents()
              + " cents: pay them before copying");
    } catch (UnknownUserException e) {
      throw notSignedBy(request.userId()); // removed between the check and the transaction
    }
  }

  private static Crypto.Sealed seal(
      byte[] recipient, String label, byte[] aad, byte[] plaintext, String whose) {
    try {
      return Crypto.seal(recipient, label, aad, plaintext);
    } catch (AuthenticationException e) {
      throw new Refusal(Refusal.Kind.FORBIDDEN, "cannot seal to " + whose + ": " + e.getMessage());
    }
  }

  private static void requireScheme(Title title, int scheme, String otherPath) {
    if (title.scheme() != scheme) {
      throw Refusal.conflict(
          "title "
              + title.titleId()
              + " is a scheme-"
              + title.scheme()
              + " title ("
              + (title.scheme() == 1 ? "certificate copy" : "converted copy")
              + "): ask "
              + otherPath);
    }
  }

  private Instant now() {
    return Instant.ofEpochSecond(clock.instant().getEpochSecond());
  }

  // ------------------------------------------------------------------ validation

  /** IDs as the protocol's records take them: printable ASCII without spaces. */
  static void checkId(String field, String value, int max) {
    if (value == null || value.isEmpty() || value.length() > max) {
      throw Refusal.badRequest("field '" + field + "' must be 1.." + max + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= 0x20 || c >= 0x7F) {
        throw Refusal.badRequest(
            "field '" + field + "' must be printable ASCII without spaces, got '" + value + "'");
      }
    }
  }

  static void checkName(String field, String value) {
    if (value == null
        || value.isBlank()
        || value.getBytes(StandardCharsets.UTF_8).length > 255
        || value.chars().anyMatch(Character::isISOControl)) {
      throw Refusal.badRequest(
          "field '" + field + "' must be 1..255 bytes of UTF-8 without control characters");
    }
  }
}
