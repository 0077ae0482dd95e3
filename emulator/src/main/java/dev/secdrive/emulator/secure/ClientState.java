package dev.secdrive.emulator.secure;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.secdrive.kit.crypto.HexKeys;
import dev.secdrive.protocol.move.ClientStatus;
import dev.secdrive.protocol.move.ContentsCopyCertificate;
import dev.secdrive.protocol.move.License;
import dev.secdrive.protocol.move.ServiceData;
import dev.secdrive.protocol.move.UseConditions;
import dev.secdrive.protocol.security.ParameterException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the drive keeps as the patent's legal client (seed 002), inside its sealed non-volatile
 * state ({@link DriveNv}): the service data with the client's private key and device node keys it
 * sealed, the licenses with their use conditions as they stand, the contents copy certificates it
 * holds for a MOVE OUT (and, for those a MOVE OUT has begun, the package LBA it spent the copy
 * for), every license and certificate serial it has used, and its time floor. Immutable: each
 * operation builds the next state and {@link DriveNv#writeClient} makes it durable in one write.
 *
 * @param movingOut per certificate serial (hex) a MOVE OUT has begun: the package LBA it spent the
 *     removable copy for; the certificate stays in {@code certificates} until the move record is on
 *     the medium
 * @param timeFloor Unix seconds the drive knows it is at least: the latest wall-clock time it saw
 *     at a client-state write and the not-before of every license it installed; usage periods are
 *     judged by the later of it and the wall clock, so a clock set back revives nothing
 */
record ClientState(
    ServiceData serviceData,
    byte[] clientPrivateKey,
    byte[] deviceNodeKeys,
    SortedMap<String, Held> licenses,
    SortedMap<String, ContentsCopyCertificate> certificates,
    SortedMap<String, Long> movingOut,
    SortedSet<String> usedSerials,
    long timeFloor) {

  /** A license as installed, and its conditions as they stand now. */
  record Held(License license, UseConditions now) {}

  /**
   * The key of a held license: its issuer's name and its license ID. License IDs are each
   * distributor's own, so a license is never found, replaced or counted by its ID alone.
   */
  static String key(String issuer, String licenseId) {
    return issuer + '\u0000' + licenseId;
  }

  static String key(License license) {
    return key(license.issuer().subject(), license.licenseId());
  }

  ClientState {
    clientPrivateKey = clientPrivateKey.clone();
    deviceNodeKeys = deviceNodeKeys.clone();
    licenses = Collections.unmodifiableSortedMap(new TreeMap<>(licenses));
    certificates = Collections.unmodifiableSortedMap(new TreeMap<>(certificates));
    movingOut = Collections.unmodifiableSortedMap(new TreeMap<>(movingOut));
    if (!certificates.keySet().containsAll(movingOut.keySet())) {
      throw new IllegalArgumentException("a certificate moving out is not held");
    }
    if (timeFloor < 0) {
      throw new IllegalArgumentException("time floor " + timeFloor);
    }
    usedSerials = Collections.unmodifiableSortedSet(new TreeSet<>(usedSerials));
  }

  /** A freshly registered client: no license, certificate or used serial, time floor 0. */
  static ClientState registered(
      ServiceData serviceData, byte[] clientPrivateKey, byte[] deviceNodeKeys) {
    return new ClientState(
        serviceData,
        clientPrivateKey,
        deviceNodeKeys,
        new TreeMap<>(),
        new TreeMap<>(),
        new TreeMap<>(),
        new TreeSet<>(),
        0);
  }

  private ClientState with(
      SortedMap<String, Held> licenses,
      SortedMap<String, ContentsCopyCertificate> certificates,
      SortedMap<String, Long> movingOut,
      SortedSet<String> usedSerials,
      long timeFloor) {
    return new ClientState(
        serviceData,
        clientPrivateKey,
        deviceNodeKeys,
        licenses,
        certificates,
        movingOut,
        usedSerials,
        timeFloor);
  }

  @Override
  public byte[] clientPrivateKey() {
    return clientPrivateKey.clone();
  }

  @Override
  public byte[] deviceNodeKeys() {
    return deviceNodeKeys.clone();
  }

  long leafId() {
    return serviceData.leafId();
  }

  static String serial(byte[] serial) {
    return HexFormat.of().formatHex(serial);
  }

  boolean used(byte[] serial) {
    return usedSerials.contains(serial(serial));
  }

  /** The license {@code licenseId} of {@code issuer}, if one is held. */
  Optional<Held> license(String issuer, String licenseId) {
    return Optional.ofNullable(licenses.get(key(issuer, licenseId)));
  }

  /** A license of {@code issuer} for the content {@code contentId}, if one is held. */
  Optional<Held> licenseFor(String issuer, String contentId) {
    return licenses.values().stream()
        .filter(h -> h.license().issuer().subject().equals(issuer))
        .filter(h -> h.license().contentId().equals(contentId))
        .findFirst();
  }

  Optional<ContentsCopyCertificate> certificate(byte[] serial) {
    return Optional.ofNullable(certificates.get(serial(serial)));
  }

  /** The package LBA a MOVE OUT of certificate {@code serial} spent the copy for, if one began. */
  Optional<Long> movingOutLba(byte[] serial) {
    return Optional.ofNullable(movingOut.get(serial(serial)));
  }

  /**
   * The time the drive judges usage periods by: the later of {@code wallClock} and the time floor.
   */
  Instant judgedTime(Instant wallClock) {
    return wallClock.getEpochSecond() >= timeFloor ? wallClock : Instant.ofEpochSecond(timeFloor);
  }

  /** The same state with the time floor raised to {@code seen} (Unix seconds) if that is later. */
  ClientState withTimeSeen(long seen) {
    return seen <= timeFloor ? this : with(licenses, certificates, movingOut, usedSerials, seen);
  }

  /**
   * Installs {@code license} (replacing one of the same issuer and license ID), records its serial
   * and raises the time floor to its not-before.
   */
  ClientState withLicense(License license) {
    TreeMap<String, Held> next = new TreeMap<>(licenses);
    next.put(key(license), new Held(license, license.conditions()));
    TreeSet<String> used = new TreeSet<>(usedSerials);
    used.add(serial(license.serial()));
    return with(next, certificates, movingOut, used, timeFloor)
        .withTimeSeen(license.conditions().notBefore());
  }

  /** The held {@code license} with its conditions now {@code now}. */
  ClientState withConditions(License license, UseConditions now) {
    TreeMap<String, Held> next = new TreeMap<>(licenses);
    Held held = next.get(key(license));
    next.put(key(license), new Held(held.license(), now));
    return with(next, certificates, movingOut, usedSerials, timeFloor);
  }

  ClientState withCertificate(ContentsCopyCertificate certificate) {
    TreeMap<String, ContentsCopyCertificate> next = new TreeMap<>(certificates);
    next.put(serial(certificate.serial()), certificate);
    return with(licenses, next, movingOut, usedSerials, timeFloor);
  }

  /** The held certificate {@code serial} marked as moving out to the package at {@code lba}. */
  ClientState withMovingOut(byte[] serial, long lba) {
    TreeMap<String, Long> next = new TreeMap<>(movingOut);
    next.put(serial(serial), lba);
    return with(licenses, certificates, next, usedSerials, timeFloor);
  }

  /** The certificate {@code serial} given up (and its moving-out mark with it). */
  ClientState withoutCertificate(byte[] serial) {
    TreeMap<String, ContentsCopyCertificate> next = new TreeMap<>(certificates);
    next.remove(serial(serial));
    TreeMap<String, Long> moving = new TreeMap<>(movingOut);
    moving.remove(serial(serial));
    return with(licenses, next, moving, usedSerials, timeFloor);
  }

  /** Records {@code serial} as used without installing anything (a moved-in certificate's). */
  ClientState withUsed(byte[] serial) {
    TreeSet<String> used = new TreeSet<>(usedSerials);
    used.add(serial(serial));
    return with(licenses, certificates, movingOut, used, timeFloor);
  }

  /** CLIENT STATUS: never a key. */
  ClientStatus status() {
    List<ClientStatus.LicenseEntry> entries = new ArrayList<>();
    for (Held h : licenses.values()) {
      License l = h.license();
      entries.add(
          new ClientStatus.LicenseEntry(
              l.licenseId(), l.contentId(), l.issuer().subject(), l.serial(), h.now()));
    }
    List<ClientStatus.HeldCertificate> held = new ArrayList<>();
    for (ContentsCopyCertificate c : certificates.values()) {
      held.add(
          new ClientStatus.HeldCertificate(
              c.serial(),
              c.contentId(),
              c.destinationLeafId(),
              movingOut.getOrDefault(serial(c.serial()), ClientStatus.HeldCertificate.NOT_MOVING)));
    }
    return new ClientStatus(
        Optional.of(
            new ClientStatus.Client(
                serviceData.distributor(),
                serviceData.clientId(),
                serviceData.leafId(),
                serviceData.depth(),
                serviceData.clientPublicKey())),
        entries,
        held,
        usedSerials.size());
  }

  // ---------------------------------------------------------------- in the sealed JSON

  /** The client section of the drive state's sealed JSON: records as hex of their encodings. */
  static final class Json {
    @JsonProperty public String serviceData;
    @JsonProperty public String clientPrivateKey;
    @JsonProperty public String deviceNodeKeys;
    @JsonProperty public List<LicenseJson> licenses;
    @JsonProperty public List<String> certificates;
    @JsonProperty public List<String> usedSerials;

    /**
     * Certificate serial (hex) to the package LBA its begun MOVE OUT spent the copy for; absent in
     * states of earlier secdrives.
     */
    @JsonProperty public Map<String, Long> movingOut;

    /** Unix seconds. */
    @JsonProperty public long timeFloor;
  }

  /** A held license: its encoding as issued, and its conditions as they stand. */
  static final class LicenseJson {
    @JsonProperty public String license;
    @JsonProperty public String conditions;
  }

  Json toJson() {
    Json j = new Json();
    j.serviceData = HexKeys.format(serviceData.encode());
    j.clientPrivateKey = HexKeys.format(clientPrivateKey);
    j.deviceNodeKeys = HexKeys.format(deviceNodeKeys);
    j.licenses = new ArrayList<>();
    for (Held h : licenses.values()) {
      LicenseJson l = new LicenseJson();
      l.license = HexKeys.format(h.license().encode());
      l.conditions = HexKeys.format(h.now().encode());
      j.licenses.add(l);
    }
    j.certificates = certificates.values().stream().map(c -> HexKeys.format(c.encode())).toList();
    j.usedSerials = List.copyOf(usedSerials);
    j.movingOut = new TreeMap<>(movingOut);
    j.timeFloor = timeFloor;
    return j;
  }

  /**
   * @throws IllegalArgumentException if a field is missing or does not parse
   */
  static ClientState fromJson(Json j) {
    if (j.serviceData == null
        || j.clientPrivateKey == null
        || j.deviceNodeKeys == null
        || j.licenses == null
        || j.certificates == null
        || j.usedSerials == null) {
      throw new IllegalArgumentException("client section incomplete");
    }
    HexFormat hex = HexFormat.of();
    try {
      ServiceData service = ServiceData.decode(hex.parseHex(j.serviceData));
      TreeMap<String, Held> licenses = new TreeMap<>();
      for (LicenseJson l : j.licenses) {
        License license = License.decode(hex.parseHex(l.license));
        licenses.put(
            key(license), new Held(license, UseConditions.decode(hex.parseHex(l.conditions))));
      }
      TreeMap<String, ContentsCopyCertificate> certificates = new TreeMap<>();
      for (String c : j.certificates) {
        ContentsCopyCertificate certificate = ContentsCopyCertificate.decode(hex.parseHex(c));
        certificates.put(serial(certificate.serial()), certificate);
      }
      for (String s : j.usedSerials) {
        if (hex.parseHex(s).length != License.SERIAL_LENGTH) {
          throw new IllegalArgumentException("used serial " + s);
        }
      }
      // absent in the states of secdrives before the two-phase MOVE OUT: nothing moving
      Map<String, Long> moving = j.movingOut == null ? Map.of() : j.movingOut;
      for (Map.Entry<String, Long> m : moving.entrySet()) {
        if (m.getValue() == null || m.getValue() < 0) {
          throw new IllegalArgumentException("moving-out LBA of " + m.getKey());
        }
      }
      return new ClientState(
          service,
          hex.parseHex(j.clientPrivateKey),
          hex.parseHex(j.deviceNodeKeys),
          licenses,
          certificates,
          new TreeMap<>(moving),
          new TreeSet<>(j.usedSerials),
          j.timeFloor);
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
