package dev.secdrive.protocol.security;

/** F0h BACKUP DATA data-in: the encoded {@link BackupBlob} a BACKUP or RESEAL produced. */
public record BackupData(byte[] blob) {

  public BackupData {
    blob = blob.clone();
  }

  @Override
  public byte[] blob() {
    return blob.clone();
  }

  public byte[] encode() {
    return AvailableLength.wrap(blob);
  }

  public static BackupData decode(byte[] in) throws ParameterException {
    return new BackupData(AvailableLength.unwrap(in, "backup data"));
  }

  /** The allocation length the data-in {@code prefix} announces, or -1 if under four bytes. */
  public static long requiredLength(byte[] prefix) {
    return AvailableLength.required(prefix);
  }
}
