package dev.secdrive.protocol.move;

import dev.secdrive.protocol.security.Fields;
import dev.secdrive.protocol.security.ParameterException;
import dev.secdrive.protocol.security.ParameterException.Kind;
import java.time.Instant;

/**
 * The use conditions of a license (S81): its usage period, its plays, how many contents copy
 * certificates its server may issue for it, and how many copies to removable media its drive may
 * still move out. 24 bytes: u64 not-before | u64 not-after | u32 plays | u16 copy certificates |
 * u16 copies to removable media. In CLIENT STATUS the counts are those left.
 *
 * @param notBefore Unix seconds, 0..2^63-1
 * @param notAfter Unix seconds, not before {@code notBefore}, or {@link #NO_END}
 * @param plays 0..FFFFFFFEh, or {@link #UNLIMITED}
 */
public record UseConditions(
    long notBefore, long notAfter, long plays, int copyCertificates, int removableCopies) {

  public static final int LENGTH = 24;

  /** A not-after of FFFFFFFFFFFFFFFFh: the period has no end. */
  public static final long NO_END = -1L;

  /** Plays of FFFFFFFFh: no limit. */
  public static final long UNLIMITED = 0xFFFF_FFFFL;

  public UseConditions {
    if (notBefore < 0) {
      throw new IllegalArgumentException("not-before beyond 2^63-1");
    }
    if (notAfter != NO_END && (notAfter < 0 || notAfter < notBefore)) {
      throw new IllegalArgumentException("not-after before not-before");
    }
    if (plays < 0 || plays > UNLIMITED) {
      throw new IllegalArgumentException("plays must be 0..FFFFFFFFh");
    }
    if (copyCertificates < 0 || copyCertificates > 0xFFFF) {
      throw new IllegalArgumentException("copy certificates must be 0..65535");
    }
    if (removableCopies < 0 || removableCopies > 0xFFFF) {
      throw new IllegalArgumentException("copies to removable media must be 0..65535");
    }
  }

  public boolean unlimitedPlays() {
    return plays == UNLIMITED;
  }

  /** Whether {@code now} lies in the usage period: not-before &lt;= now &lt;= not-after. */
  public boolean inPeriod(Instant now) {
    long s = now.getEpochSecond();
    return s >= notBefore && (notAfter == NO_END || s <= notAfter);
  }

  /** The same conditions with one play fewer (unchanged if unlimited). */
  public UseConditions afterPlay() {
    if (unlimitedPlays()) {
      return this;
    }
    if (plays == 0) {
      throw new IllegalStateException("no plays left");
    }
    return new UseConditions(notBefore, notAfter, plays - 1, copyCertificates, removableCopies);
  }

  /** The same conditions with one copy to removable media fewer. */
  public UseConditions afterRemovableCopy() {
    if (removableCopies == 0) {
      throw new IllegalStateException("no copies to removable media left");
    }
    return new UseConditions(notBefore, notAfter, plays, copyCertificates, removableCopies - 1);
  }

  public void encodeTo(Fields.Writer out) {
    out.u64(notBefore).u64(notAfter).u32(plays).u16(copyCertificates).u16(removableCopies);
  }

  public byte[] encode() {
    Fields.Writer out = new Fields.Writer();
    encodeTo(out);
    return out.toByteArray();
  }

  public static UseConditions decodeFrom(Fields.Reader r) throws ParameterException {
    int at = r.position();
    long notBefore = r.u64("not-before");
    if (notBefore < 0) {
      throw new ParameterException(Kind.INVALID_VALUE, "not-before beyond 2^63-1", at);
    }
    long notAfter = r.u64("not-after");
    if (notAfter != NO_END && (notAfter < 0 || notAfter < notBefore)) {
      throw new ParameterException(Kind.INVALID_VALUE, "not-after before not-before", at + 8);
    }
    long plays = r.u32("plays");
    int certificates = r.u16("copy certificates");
    int removable = r.u16("copies to removable media");
    return new UseConditions(notBefore, notAfter, plays, certificates, removable);
  }

  public static UseConditions decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "use conditions");
    UseConditions c = decodeFrom(r);
    r.end();
    return c;
  }
}
