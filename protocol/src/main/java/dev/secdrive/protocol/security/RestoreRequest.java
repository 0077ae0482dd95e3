package dev.secdrive.protocol.security;

/**
 * F0h RESTORE parameter list (FIG. 9 S41-S43, FIG. 12 S61-S64, FIG. 15 S83-S84).
 *
 * @param lba the blob's first block when {@code source} is the user area; else 0
 * @param blob the encoded blob when {@code source} is inline; else empty
 */
public record RestoreRequest(BlobSource source, long lba, byte[] blob) {

  public RestoreRequest {
    BlobLocation.check(source, lba, blob);
    blob = blob.clone();
  }

  public static RestoreRequest inline(byte[] blob) {
    return new RestoreRequest(BlobSource.INLINE, 0, blob);
  }

  public static RestoreRequest fromUserArea(long lba) {
    return new RestoreRequest(BlobSource.USER_AREA, lba, new byte[0]);
  }

  @Override
  public byte[] blob() {
    return blob.clone();
  }

  public byte[] encode() {
    return new Fields.Writer().u8(source.code()).u64(lba).bytes32(blob).toByteArray();
  }

  public static RestoreRequest decode(byte[] in) throws ParameterException {
    Fields.Reader r = new Fields.Reader(in, "RESTORE parameter list");
    BlobLocation location = BlobLocation.read(r);
    r.end();
    return new RestoreRequest(location.source(), location.lba(), location.blob());
  }
}
