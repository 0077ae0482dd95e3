package dev.secdrive.protocol.move;

import dev.secdrive.protocol.security.AvailableLength;
import dev.secdrive.protocol.security.Certificate;
import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * F0h CLIENT STATUS data-in: u32 available length, u8 registered (0/1); if 1: str8 distributor |
 * str8 client ID | u32 leaf ID | u8 depth | 32 bytes client public key | u16 license count, per
 * license: str8 license ID | str8 content ID | str8 issuer name | 16-byte serial | 24 bytes use
 * conditions as they stand; u16 held certificate count, per: 16-byte serial | str8 content ID | u32
 * destination leaf | u64 moving-out LBA (FFFFFFFFFFFFFFFFh = no MOVE OUT begun); u32 used serial
 * count. Never a key.
 *
 * @param client empty if the drive is not registered (then the lists are empty and the count 0)
 */
public record ClientStatus(
    Optional<Client> client,
    List<LicenseEntry> licenses,
    List<HeldCertificate> certificates,
    long usedSerials) {

  /** Who the drive is as a client. */
  public record Client(
      String distributor, String clientId, long leafId, int depth, byte[] publicKey) {
    public Client {
      ServiceData.checkName(distributor);
      Fields.checkId("client ID", clientId, License.ID_MAX);
      License.checkLeaf(leafId);
      if (depth < 1 || depth > ServiceData.MAX_DEPTH) {
        throw new IllegalArgumentException("tree depth must be 1..32");
      }
      publicKey = Fields.checkLength("public key", publicKey, Certificate.KEY_LENGTH).clone();
    }

    @Override
    public byte[] publicKey() {
      return publicKey.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Client c
          && distributor.equals(c.distributor)
          && clientId.equals(c.clientId)
          && leafId == c.leafId
          && depth == c.depth
          && Arrays.equals(publicKey, c.publicKey);
    }

    @Override
    public int hashCode() {
      return clientId.hashCode() * 31 + Long.hashCode(leafId);
    }
  }

  /** A license the drive holds, with its conditions as they stand (plays and copies left). */
  public record LicenseEntry(
      String licenseId, String contentId, String issuer, byte[] serial, UseConditions conditions) {
    public LicenseEntry {
      Fields.checkId("license ID", licenseId, License.ID_MAX);
      Fields.checkId("content ID", contentId, License.ID_MAX);
      ServiceData.checkName(issuer);
      serial = Fields.checkLength("serial", serial, License.SERIAL_LENGTH).clone();
      if (conditions == null) {
        throw new NullPointerException("conditions");
      }
    }

    @Override
    public byte[] serial() {
      return serial.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof LicenseEntry e
          && licenseId.equals(e.licenseId)
          && contentId.equals(e.contentId)
          && issuer.equals(e.issuer)
          && Arrays.equals(serial, e.serial)
          && conditions.equals(e.conditions);
    }

    @Override
    public int hashCode() {
      return licenseId.hashCode() * 31 + Arrays.hashCode(serial);
    }

    @Override
    public String toString() {
      return "LicenseEntry["
          + licenseId
          + " for "
          + contentId
          + " by "
          + issuer
          + ", "
          + HexFormat.of().formatHex(serial)
          + ", "
          + conditions
          + "]";
    }
  }

  /**
   * A contents copy certificate the drive holds for a later MOVE OUT, or is moving out: {@code
   * movingOutLba} is the package LBA a MOVE OUT spent the copy for and whose move record it has not
   * yet given the certificate up after ({@link #NOT_MOVING} if none).
   */
  public record HeldCertificate(
      byte[] serial, String contentId, long destinationLeafId, long movingOutLba) {

    /** {@link #movingOutLba} of a certificate no MOVE OUT has begun: FFFFFFFFFFFFFFFFh. */
    public static final long NOT_MOVING = -1;

    public HeldCertificate {
      serial = Fields.checkLength("serial", serial, ContentsCopyCertificate.SERIAL_LENGTH).clone();
      Fields.checkId("content ID", contentId, License.ID_MAX);
      License.checkLeaf(destinationLeafId);
    }

    /** A certificate held, no MOVE OUT begun. */
    public HeldCertificate(byte[] serial, String contentId, long destinationLeafId) {
      this(serial, contentId, destinationLeafId, NOT_MOVING);
    }

    /** Whether a MOVE OUT spent the copy and has not finished (repeat it to finish). */
    public boolean movingOut() {
      return movingOutLba != NOT_MOVING;
    }

    @Override
    public byte[] serial() {
      return serial.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof HeldCertificate h
          && Arrays.equals(serial, h.serial)
          && contentId.equals(h.contentId)
          && destinationLeafId == h.destinationLeafId
          && movingOutLba == h.movingOutLba;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(serial);
    }

    @Override
    public String toString() {
      return "HeldCertificate["
          + HexFormat.of().formatHex(serial)
          + " "
          + contentId
          + " -> leaf "
          + destinationLeafId
          + (movingOut() ? ", moving out at LBA " + Long.toUnsignedString(movingOutLba) : "")
          + "]";
    }
  }

  public ClientStatus {
    licenses = List.copyOf(licenses);
    certificates = List.copyOf(certificates);
    if (client.isEmpty() && (!licenses.isEmpty() || !certificates.isEmpty() || usedSerials != 0)) {
      throw new IllegalArgumentException("an unregistered drive holds nothing");
    }
    if (licenses.size() > 0xFFFF || certificates.size() > 0xFFFF) {
      throw new IllegalArgumentException("more than 65535 entries");
    }
    if (usedSerials < 0 || usedSerials > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("used serial count must be a u32");
    }
  }

  /** The status of a drive that is no client. */
  public static ClientStatus unregistered() {
    return new ClientStatus(Optional.empty(), List.of(), List.of(), 0);
  }

  public boolean registered() {
    return client.isPresent();
  }

  public byte[] encode() {
    Fields.Writer out = new Fields.Writer();
    if (client.isEmpty()) {
      return AvailableLength.wrap(out.u8(0).toByteArray());
    }
    Client c = client.get();
    out.u8(1)
        .str8(c.distributor())
        .str8(c.clientId())
        .u32(c.leafId())
        .u8(c.depth())
        .raw(c.publicKey);
    out.u16(licenses.size());
    for (LicenseEntry e : licenses) {
      out.str8(e.licenseId).str8(e.contentId).str8(e.issuer).raw(e.serial);
      e.conditions.encodeTo(out);
    }
    out.u16(certificates.size());
    for (HeldCertificate h : certificates) {
      out.raw(h.serial).str8(h.contentId).u32(h.destinationLeafId).u64(h.movingOutLba);
    }
    out.u32(usedSerials);
    return AvailableLength.wrap(out.toByteArray());
  }

  public static ClientStatus decode(byte[] in) throws ParameterException {
    Fields.Reader r =
        new Fields.Reader(AvailableLength.unwrap(in, "client status"), "client status");
    int at = r.position();
    int registered = r.u8("registered");
    if (registered == 0) {
      r.end();
      return unregistered();
    }
    if (registered != 1) {
      throw new ParameterException(
          Kind.INVALID_VALUE, "client status: registered is " + registered + ", not 0 or 1", at);
    }
    String distributor = r.name("distributor");
    String clientId = r.id("client ID", License.ID_MAX);
    long leaf = r.u32("leaf ID");
    at = r.position();
    int depth = r.u8("depth");
    if (depth < 1 || depth > ServiceData.MAX_DEPTH) {
      throw new ParameterException(Kind.INVALID_VALUE, "client status: depth " + depth, at);
    }
    byte[] key = r.raw("client public key", Certificate.KEY_LENGTH);
    int n = r.u16("license count");
    List<LicenseEntry> licenses = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String licenseId = r.id("license ID", License.ID_MAX);
      String contentId = r.id("content ID", License.ID_MAX);
      String issuer = r.name("issuer name");
      byte[] serial = r.raw("serial", License.SERIAL_LENGTH);
      licenses.add(
          new LicenseEntry(licenseId, contentId, issuer, serial, UseConditions.decodeFrom(r)));
    }
    int m = r.u16("held certificate count");
    List<HeldCertificate> held = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      byte[] serial = r.raw("serial", ContentsCopyCertificate.SERIAL_LENGTH);
      String contentId = r.id("content ID", License.ID_MAX);
      long destination = r.u32("destination leaf ID");
      held.add(new HeldCertificate(serial, contentId, destination, r.u64("moving-out LBA")));
    }
    long used = r.u32("used serial count");
    r.end();
    return new ClientStatus(
        Optional.of(new Client(distributor, clientId, leaf, depth, key)), licenses, held, used);
  }
}
