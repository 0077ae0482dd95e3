package dev.secdrive.protocol.distributor;

import java.util.List;

/**
 * {@code GET /users/{userId}}: the user, what they owe, their bills, the licenses this distributor
 * issued them, their downloads and their copy certificates.
 */
public record Profile(
    String userId,
    String name,
    String registeredAt,
    long owedCents,
    List<Bill> bills,
    List<LicenseInfo> licenses,
    List<DownloadInfo> downloads,
    List<CopyInfo> copies) {

  public Profile {
    bills = List.copyOf(bills);
    licenses = List.copyOf(licenses);
    downloads = List.copyOf(downloads);
    copies = List.copyOf(copies);
  }

  /** A license issued: {@code kind} purchase, update or copy; {@code replaces} for an update. */
  public record LicenseInfo(
      String serial,
      String licenseId,
      String contentId,
      String clientId,
      long leafId,
      String kind,
      String replaces,
      String issuedAt) {}

  public record DownloadInfo(
      String contentId, String clientId, int ekbVersion, String downloadedAt) {}

  public record CopyInfo(
      String serial,
      String licenseSerial,
      String contentId,
      String sourceClient,
      String destinationClient,
      String issuedAt) {}
}
