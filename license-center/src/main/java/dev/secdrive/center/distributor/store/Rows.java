package dev.secdrive.center.distributor.store;

import java.time.Instant;

/** The rows of the distributor's two databases, as the stores read and write them. */
public final class Rows {

  private Rows() {}

  public record UserRow(String userId, String name, String passwordHash, Instant registeredAt) {}

  /** A content of the catalog with its license's terms; {@code nonce} is 8 bytes. */
  public record ContentRow(
      String contentId,
      String name,
      String codec,
      String licenseId,
      long priceCents,
      Terms terms,
      long length,
      byte[] nonce,
      Instant registeredAt) {}

  /**
   * Use conditions as the catalog states them: plays (4294967295 = unlimited), days from issue (0 =
   * no end), copy certificates allowed, copies to removable media.
   */
  public record Terms(long plays, int days, int copies, int removableCopies) {
    public static final long UNLIMITED_PLAYS = 0xFFFFFFFFL;

    public Terms {
      if (plays < 0 || plays > UNLIMITED_PLAYS) {
        throw new IllegalArgumentException(
            "field 'plays' must be 0.." + UNLIMITED_PLAYS + " (unlimited), got " + plays);
      }
      if (days < 0) {
        throw new IllegalArgumentException("field 'days' must not be negative, got " + days);
      }
      if (copies < 0 || copies > 0xFFFF) {
        throw new IllegalArgumentException("field 'copies' must be 0..65535, got " + copies);
      }
      if (removableCopies < 0 || removableCopies > 0xFFFF) {
        throw new IllegalArgumentException(
            "field 'removableCopies' must be 0..65535, got " + removableCopies);
      }
    }
  }

  public record OfferRow(String offerId, String contentId, long priceCents, Terms terms) {}

  public record BillRow(
      long billId,
      String userId,
      String kind,
      String reference,
      long amountCents,
      long paidCents,
      Instant createdAt) {
    public boolean paid() {
      return paidCents >= amountCents;
    }
  }

  /**
   * A license issued here. {@code notAfter} -1 = no end; {@code kind} purchase, update or copy;
   * {@code replaces} the serial an update replaces, else null; {@code billId} 0 = not billed.
   */
  public record LicenseRow(
      String serial,
      String licenseId,
      String contentId,
      String userId,
      String clientId,
      long leafId,
      long notBefore,
      long notAfter,
      long plays,
      int copies,
      int removableCopies,
      String kind,
      String replaces,
      long billId,
      Instant issuedAt) {
    /** This license billed by bill {@code id}. */
    public LicenseRow withBill(long id) {
      return new LicenseRow(
          serial,
          licenseId,
          contentId,
          userId,
          clientId,
          leafId,
          notBefore,
          notAfter,
          plays,
          copies,
          removableCopies,
          kind,
          replaces,
          id,
          issuedAt);
    }
  }

  public record DownloadRow(
      String userId, String contentId, String clientId, int ekbVersion, Instant downloadedAt) {}

  public record CopyRow(
      String serial,
      String licenseSerial,
      String destinationLicense,
      String contentId,
      String userId,
      String sourceClient,
      String destinationClient,
      long billId,
      Instant issuedAt) {
    /** This copy billed by bill {@code id}. */
    public CopyRow withBill(long id) {
      return new CopyRow(
          serial,
          licenseSerial,
          destinationLicense,
          contentId,
          userId,
          sourceClient,
          destinationClient,
          id,
          issuedAt);
    }
  }

  /** A client of the federation (DB C). */
  public record ClientRow(
      String clientId,
      long leafId,
      String userId,
      String distributor,
      String deviceId,
      String clientPublicKey,
      String driveCertificate,
      Instant registeredAt) {}

  public record RevocationRow(
      int version, String clientId, long leafId, String distributor, Instant revokedAt) {}

  /** A license a user holds, as DB C records it. */
  public record UserLicenseRow(
      String serial,
      String userId,
      String licenseId,
      String contentId,
      String clientId,
      String distributor,
      int copiesAllowed,
      Instant issuedAt) {}
}
