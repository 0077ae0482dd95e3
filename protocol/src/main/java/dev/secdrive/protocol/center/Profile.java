package dev.secdrive.protocol.center;

import java.util.List;

/**
 * {@code GET /users/{userId}}: the user, what they owe, their copies and their bills (API.md "GET
 * /users/{userId}"). {@code signingKey} may be null for a user registered before copy requests were
 * signed.
 */
public record Profile(
    String userId,
    String name,
    byte[] userKey,
    byte[] signingKey,
    String registeredAt,
    long owedCents,
    List<CopyInfo> copies,
    List<BillInfo> bills) {

  public Profile {
    copies = List.copyOf(copies);
    bills = List.copyOf(bills);
  }

  /** One issued copy; {@code deviceId} (the target drive) only in scheme 2. */
  public record CopyInfo(
      long serial, String titleId, String mediumId, int scheme, String deviceId, String issuedAt) {}
}
