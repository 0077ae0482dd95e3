package dev.secdrive.protocol.security;

import dev.secdrive.protocol.security.ParameterException.Kind;

/** The source, LBA and inline blob fields RESTORE and RESEAL share. */
record BlobLocation(BlobSource source, long lba, byte[] blob) {

  static void check(BlobSource source, long lba, byte[] blob) {
    if (source == null || blob == null) {
      throw new NullPointerException("source and blob are required");
    }
    if (lba < 0) {
      throw new IllegalArgumentException("LBA must not be negative: " + lba);
    }
    if (source == BlobSource.INLINE ? lba != 0 || blob.length == 0 : blob.length != 0) {
      throw new IllegalArgumentException(
          "an inline source carries the blob and LBA 0; a user-area source an LBA and no blob");
    }
    Fields.checkMax("blob", blob, BackupBlob.MAXIMUM_LENGTH);
  }

  static BlobLocation read(Fields.Reader r) throws ParameterException {
    BlobSource source = BlobSource.read(r);
    int lbaAt = r.position();
    long lba = r.u64("LBA");
    int blobAt = r.position();
    byte[] blob = r.bytes32("blob", BackupBlob.MAXIMUM_LENGTH);
    if (lba < 0 || (source == BlobSource.INLINE && lba != 0)) {
      throw new ParameterException(Kind.INVALID_VALUE, "LBA must be 0 for an inline blob", lbaAt);
    }
    if ((source == BlobSource.INLINE) != (blob.length > 0)) {
      throw new ParameterException(
          Kind.INVALID_VALUE,
          source == BlobSource.INLINE
              ? "inline source without a blob"
              : "a user-area source carries no blob",
          blobAt);
    }
    return new BlobLocation(source, lba, blob);
  }
}
