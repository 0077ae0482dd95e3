/**
 * Files that must survive a crash whole, and files that hold secrets. {@link
 * dev.secdrive.kit.files.AtomicFiles} replaces a file so a crash at any point leaves the old
 * content or the new (temporary file in the same directory, fsync, atomic rename, fsync of the
 * directory); {@link dev.secdrive.kit.files.SecretFiles} creates secrets owner-only and refuses to
 * read one that others may read, as OpenSSH refuses a private key with loose modes (STYLE.md 9,
 * THREATS.md "a person with file access").
 */
package dev.secdrive.kit.files;
