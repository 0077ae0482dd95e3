package dev.secdrive.cli;

import java.util.HexFormat;

/** The licensing authority's public key as a user types it ({@code secdrive authority init}). */
final class AuthorityKeys {

  private AuthorityKeys() {}

  /** {@code hex} as a 32-byte Ed25519 public key. */
  static byte[] parse(String option, String hex) {
    try {
      byte[] key = HexFormat.of().parseHex(hex);
      if (key.length == 32) {
        return key;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new CliException(
        option
            + " must be 64 hexadecimal digits (the 32-byte public key that"
            + " 'secdrive authority init' prints), got '"
            + hex
            + "'");
  }
}
