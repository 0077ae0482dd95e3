package dev.secdrive.emulator.secure;

import dev.secdrive.kit.crypto.Bytes;
import dev.secdrive.protocol.security.Challenge;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * One I_T nexus's outstanding CHALLENGE nonces (FIG. 5 S7): each answers one PROVISION on the same
 * nexus, once, so that a recorded request cannot be replayed to install a license again (after its
 * plays are spent, say). Only the newest are kept, so a host that asks again and again cannot grow
 * the drive's memory; and since every nexus has its own, no other connection can evict, exhaust or
 * spend them.
 */
final class Challenges {

  /** Challenges a nexus keeps: its newest unused ones. */
  static final int OUTSTANDING = 16;

  private final Deque<byte[]> outstanding = new ArrayDeque<>();

  /** A fresh nonce, remembered until it is consumed or {@link #OUTSTANDING} newer ones exist. */
  byte[] issue() {
    byte[] nonce = Bytes.random(Challenge.NONCE_LENGTH);
    outstanding.addLast(nonce);
    while (outstanding.size() > OUTSTANDING) {
      outstanding.removeFirst();
    }
    return nonce;
  }

  /** Whether {@code nonce} was outstanding; it is not any more. */
  boolean consume(byte[] nonce) {
    for (Iterator<byte[]> it = outstanding.iterator(); it.hasNext(); ) {
      if (MessageDigest.isEqual(it.next(), nonce)) {
        it.remove();
        return true;
      }
    }
    return false;
  }
}
