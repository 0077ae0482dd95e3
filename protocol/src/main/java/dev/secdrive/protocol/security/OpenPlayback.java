package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;

/**
 * F0h OPEN PLAYBACK parameter list (FIG. 6 S21-S23): the title to play and the LBA of its header.
 */
public record OpenPlayback(String contentId, long headerLba) {

  public OpenPlayback {
    Fields.checkId("content ID", contentId, 64);
    if (headerLba < 0) {
      throw new IllegalArgumentException("header LBA must not be negative: " + headerLba);
    }
  }

  public byte[] encode() {
    return new Fields.Writer().str8(contentId).u64(headerLba).toByteArray();
  }

  public static OpenPlayback decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "OPEN PLAYBACK parameter list");
    int at = r.position();
    String contentId = r.id("content ID");
    if (contentId.length() > 64) {
      throw new ParameterException(Kind.INVALID_VALUE, "content ID longer than 64 characters", at);
    }
    int lbaAt = r.position();
    long lba = r.u64("header LBA");
    if (lba < 0) {
      throw new ParameterException(Kind.INVALID_VALUE, "header LBA beyond 2^63", lbaAt);
    }
    r.end();
    return new OpenPlayback(contentId, lba);
  }
}
