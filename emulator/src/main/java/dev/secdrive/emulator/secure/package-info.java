/**
 * The drive's secure layer (PROTOCOL.md "Secure layer: SECURITY PROTOCOL IN / OUT"; DESIGN.md
 * "Security model"): the licensing authority and the drive's keys, the drive's non-volatile state,
 * the sealed secure area, backup blobs, and the flows that execute protocol 00h and vendor protocol
 * F0h for the firmware.
 *
 * <ul>
 *   <li>{@link dev.secdrive.emulator.secure.SecureLayer}: the entry point of the firmware's
 *       SECURITY PROTOCOL IN / OUT handlers; checks the CDBs, keeps the per-nexus {@code Session},
 *       and hands each operation to its flow. Its {@code UserAreaWrites} port is how the flows
 *       write the user area the way a WRITE does; the firmware implements it.
 *   <li>{@code ProvisionFlow} (CHALLENGE, PROVISION, LICENSE STATUS; FIG. 5), {@code PlaybackFlow}
 *       (OPEN PLAYBACK and the in-drive decryption of an {@code OpenTitle}; FIG. 6), {@code
 *       ConversionFlow} (the target drive's side of the converted software copy, PROTOCOL.md
 *       "Scheme 2": INSTALL CONVERSION, CONVERT WRITE, an {@code OpenConversion}), {@code CopyFlow}
 *       (the target drive's side of the certificate copy, "Scheme 1": INSTALL COPY, and CHECK
 *       INSTALL for both schemes) and {@code BackupFlow} (BACKUP, BACKUP DATA, RESTORE, RESEAL; US
 *       2001/0008016).
 *   <li>{@code SecureStore}: the sealed secure area of a medium, read and replaced whole, and the
 *       drive's counter and anti-rollback floor, which every flow that changes a license commits
 *       through; {@code UserArea} and {@code ParameterLists}: the user-area reads and writes and
 *       the answers to parameter lists that do not parse, shared by the flows.
 * </ul>
 *
 * <p>Every refusal is a {@link dev.secdrive.emulator.firmware.CheckCondition}, with the sense of
 * PROTOCOL.md "Refusals".
 *
 * <p>Formats that PROTOCOL.md leaves to the drive (all integers big-endian):
 *
 * <pre>
 * license state (plaintext of the secure area and of a blob's innermost layer)
 *   "SDLS" | u8 format = 2 | u32 license version | u16 count |
 *   count x ( str8 content ID | licensor | u8 n | n bytes content key wrapped with AES-KWP
 *             under KDF(Km, "content-key", "") | u32 plays left, FFFFFFFFh = unlimited )
 *   licensor: who issued the license, the licensor (PROVISION) or central site (INSTALL
 *   CONVERSION), as its certificate names it:
 *     str8 subject (for display only) | u8 role: 2 = licensor, 3 = central site |
 *     32 bytes its Ed25519 public key
 *   or, not recorded: str8 "" | u8 role 0 (and no key). The role and the key identify the
 *   licensor; two certificates with the same subject are two licensors.
 *   format 1, written before format 2, is the same without the licensor; it is still read (the
 *   licensor not recorded) so that older secure areas and backups keep their licenses, and the
 *   next write of the area upgrades it.
 *
 * secure area at rest (exactly the medium type's secure-area size)
 *   "SDSA" | u8 format = 2 | u64 medium write | str8 device ID | u64 drive counter | u32 n |
 *   n bytes: 12-byte nonce | AES-256-GCM(license state) | tag | zero padding
 *   key KDF(Km, "secure-area", ""); AAD = the header up to and including n | str8 medium ID.
 *   medium write: the medium's secure-area write counter after the write that stored the area;
 *   device ID and drive counter: the drive that committed it and its counter before the commit.
 *   All zero = blank (no license); anything that does not authenticate = unreadable (no license).
 *   format 1, "SDSA" | u8 1 | u32 n | the layer (AAD = those 9 bytes | str8 medium ID), written
 *   before media counted writes, is still read while the medium's write counter is 0; the next
 *   write stores format 2.
 *
 * secure.bin (the medium's file, media/Medium): the secure area, then, once it has been written,
 *   "SDWC" | u64 write counter. A file of exactly the area's size has counter 0. Erasing (damage)
 *   zeroes the area and keeps the counter.
 * </pre>
 *
 * <p>{@code SecureStore#read} is the one path by which every flow reads the area; it refuses an
 * area not sealed at the medium's current write, an area older than the version this drive
 * recorded, and an area this drive committed at a counter above its own (PROTOCOL.md "License
 * versions, the counter and anti-rollback").
 *
 * <p>The medium layer of a SEALED (binding 3) blob takes as AAD the header that a MEDIUM (binding
 * 0) blob of the same medium ID, license version, medium write, counter and layer length would
 * have, because RESEAL replaces the recipient and ephemeral key in the header without being able to
 * open the medium layer. Every other layer takes the blob's own header as AAD.
 *
 * <p>A drive's keys ({@code drives/<device ID>/keys.json}) and its sealed state ({@code
 * drives/<device ID>/state.sealed}, {@link dev.secdrive.emulator.secure.DriveNv}) live under {@code
 * <media dir>/.secdrive/}, owner-only; the state's anchor lives in another store ({@link
 * dev.secdrive.emulator.secure.DriveFiles}). Drives are enrolled with the {@link
 * dev.secdrive.emulator.secure.Authority} in a step of their own; a running drive holds its own
 * keys and the authority's public key and system secret, never its signing key.
 */
package dev.secdrive.emulator.secure;
