/**
 * tgt, the Linux SCSI target daemon, as a reference iSCSI target beside secdrive's own: {@link
 * dev.secdrive.kit.tgt.Tgt} starts a private {@code tgtd} (its own control socket and portal on
 * 127.0.0.1), serves file LUNs from it and stops it. The host driver's tests against a standard
 * target, the conformance comparison and the iSCSI benchmark share it; how it was found to behave
 * is in {@code emulator/ISCSI-NOTES.md}.
 */
package dev.secdrive.kit.tgt;
