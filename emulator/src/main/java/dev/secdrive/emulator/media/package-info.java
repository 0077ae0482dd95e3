/**
 * Media: a medium is a directory in the media store holding its metadata ({@code medium.json}), its
 * user area ({@code user.img}, a sparse image of the medium's blocks) and its secure area ({@code
 * secure.bin}). The three areas follow the recording media of US 2001/0008016: a read-only ID area
 * (the medium ID in the metadata, readable with READ MEDIA SERIAL NUMBER), a secure area that no
 * command reaches, and the user area. Metadata and secure area are replaced atomically (write,
 * fsync, rename), so a crash leaves the old or the new version, never a torn one. The medium keeps
 * a secure-area write counter in {@code secure.bin} after the area, as eMMC's RPMB keeps one: every
 * write of the area raises it, nothing lowers it, damage keeps it; the drive only reads it.
 *
 * <p>A pressed CD-DA disc ({@link dev.secdrive.emulator.media.CdAudioDisc}, seed 004) adds its
 * table of contents, {@code disc.json}, and has no secure area.
 */
package dev.secdrive.emulator.media;
