package dev.secdrive.center.distributor;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/**
 * Users' passwords as Argon2id hashes (password4j), in the PHC string form that carries its own
 * salt and parameters: 19 MiB, 2 passes, 1 lane, 32-byte output, a 16-byte random salt (OWASP's
 * minimum for Argon2id). A check took 50 ms (and 170 ms with both cores loaded) with password4j's
 * Java Argon2id, which is what makes a stolen DB A expensive to search; session tokens spare it on
 * every request.
 */
final class Passwords {

  static final int MIN_LENGTH = 8;
  static final int MAX_LENGTH = 1024;

  private static final Argon2Function ARGON2 =
      Argon2Function.getInstance(19 * 1024, 2, 1, 32, Argon2.ID);

  private Passwords() {}

  /**
   * @throws IllegalArgumentException naming field 'password' if it is shorter than {@value
   *     #MIN_LENGTH} or longer than {@value #MAX_LENGTH} characters
   */
  static String hash(String password) {
    if (password == null || password.length() < MIN_LENGTH || password.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "field 'password' must have " + MIN_LENGTH + ".." + MAX_LENGTH + " characters");
    }
    return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
  }

  /** Whether {@code password} is the one {@code hash} was made of. */
  static boolean matches(String password, String hash) {
    if (password == null || password.length() > MAX_LENGTH) {
      return false;
    }
    return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
  }
}
