/**
 * Drive models of the secdrive emulator, kept as data.
 *
 * <p>Each emulated SCSI removable-media drive (its INQUIRY identity, the medium types it accepts,
 * the size of its secure area, its timing, the command sets it has and which of their SCSI commands
 * it implements) is described by one JSON file. The shipped files live on the classpath under
 * {@code dev/secdrive/profiles/drives/}, listed in {@code drives/index.txt}; each is validated
 * against the JSON Schema (draft 2020-12) {@code dev/secdrive/profiles/profile.schema.json} and
 * then bound to the records {@link dev.secdrive.profiles.DriveProfile}, {@link
 * dev.secdrive.profiles.Identity}, {@link dev.secdrive.profiles.MediumType} and {@link
 * dev.secdrive.profiles.Timing}.
 *
 * <p>{@link dev.secdrive.profiles.ProfileCatalog} loads the built-in profiles, optionally together
 * with a directory of user profiles, and checks them against each other. A file that does not
 * conform is refused with a {@link dev.secdrive.profiles.ProfileException} whose message names the
 * file and the offending field.
 */
package dev.secdrive.profiles;
