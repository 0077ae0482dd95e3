package dev.secdrive.center.distributor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordsTest {

  @Test
  void aHashIsSaltedArgon2idAndMatchesOnlyItsPassword() {
    String hash = Passwords.hash("a long password");
    assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hash);
    assertNotEquals(hash, Passwords.hash("a long password"));
    assertTrue(Passwords.matches("a long password", hash));
    assertFalse(Passwords.matches("a long passworD", hash));
    assertFalse(Passwords.matches(null, hash));
  }

  @Test
  void passwordsTooShortOrTooLongAreRefusedNamingTheField() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Passwords.hash("short"))
            .getMessage()
            .contains("'password'"));
    assertThrows(IllegalArgumentException.class, () -> Passwords.hash("x".repeat(1025)));
    assertThrows(IllegalArgumentException.class, () -> Passwords.hash(null));
  }
}
