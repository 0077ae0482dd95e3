package dev.secdrive.emulator.secure;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.secdrive.kit.crypto.HexKeys;
import dev.secdrive.protocol.move.ClientStatus;
import dev.secdrive.protocol.move.ContentsCopyCertificate;
import dev.secdrive.protocol.move.License;
import dev.secdrive.protocol.move.ServiceData;
import dev.secdrive.protocol.move.UseConditions;
import dev.secdrive.protocol.security.ParameterException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the drive keeps as the patent's legal client (seed 002), inside its sealed non-volatile
 * state ({@link DriveNv}): the service data with the client's private key and device node keys it
 * sealed, the licenses with their use conditions as they stand, the contents copy certificates it
 * holds for a MOVE OUT, and every license and certificate serial it has used. Immutable: each
 * operation builds the next state and {@link DriveNv#writeClient} makes it durable in one write.
 */
record ClientState(
    ServiceData serviceData,
    byte[] clientPrivateKey,
    byte[] deviceNodeKeys,
    SortedMap<String, Held> licenses,
    SortedMap<String, ContentsCopyCertificate> certificates,
    SortedSet<String> usedSerials) {

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
    usedSerials = Collections.unmodifiableSortedSet(new TreeSet<>(usedSerials));
  }

  /** A freshly registered client: no license, certificate or used serial. */
  static ClientState registered(
      ServiceData serviceData, byte[] clientPrivateKey, byte[] deviceNodeKeys) {
    return new ClientState(
        serviceData,
        clientPrivateKey,
        deviceNodeKeys,
        new TreeMap<>(),
        new TreeMap<>(),
        new TreeSet<>());
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

  /**
   * Installs {@code license} (replacing one of the same issuer and license ID) and records its
   * serial.
   */
  ClientState withLicense(License license) {
    TreeMap<String, Held> next = new TreeMap<>(licenses);
    next.put(key(license), new Held(license, license.conditions()));
    TreeSet<String> used = new TreeSet<>(usedSerials);
    used.add(serial(license.serial()));
    return new ClientState(serviceData, clientPrivateKey, deviceNodeKeys, next, certificates, used);
  }

  /** The held {@code license} with its conditions now {@code now}. */
  ClientState withConditions(License license, UseConditions now) {
    TreeMap<String, Held> next = new TreeMap<>(licenses);
    Held held = next.get(key(license));
    next.put(key(license), new Held(held.license(), now));
    return new ClientState(
        serviceData, clientPrivateKey, deviceNodeKeys, next, certificates, usedSerials);
  }

  ClientState withCertificate(ContentsCopyCertificate certificate) {
    TreeMap<String, ContentsCopyCertificate> next = new TreeMap<>(certificates);
    next.put(serial(certificate.serial()), certificate);
    return new ClientState(
        serviceData, clientPrivateKey, deviceNodeKeys, licenses, next, usedSerials);
  }

  ClientState withoutCertificate(byte[] serial) {
    TreeMap<String, ContentsCopyCertificate> next = new TreeMap<>(certificates);
    next.remove(serial(serial));
    return new ClientState(
        serviceData, clientPrivateKey, deviceNodeKeys, licenses, next, usedSerials);
  }

  /** Records {@code serial} as used without installing anything (a moved-in certificate's). */
  ClientState withUsed(byte[] serial) {
    TreeSet<String> used = new TreeSet<>(usedSerials);
    used.add(serial(serial));
    return new ClientState(
        serviceData, clientPrivateKey, deviceNodeKeys, licenses, certificates, used);
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
      held.add(new ClientStatus.HeldCertificate(c.serial(), c.contentId(), c.destinationLeafId()));
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
      return new ClientState(
          service,
          hex.parseHex(j.clientPrivateKey),
          hex.parseHex(j.deviceNodeKeys),
          licenses,
          certificates,
          new TreeSet<>(j.usedSerials));
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
