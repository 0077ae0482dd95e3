/**
 * The iSCSI target endpoint (RFC 7143): a portal whose connections log in (section 6), run a
 * discovery session (SendTargets, section 12.3 and appendix C) or a normal session whose SCSI
 * Commands reach the drives through the shared {@link
 * dev.secdrive.emulator.endpoint.CommandHandler}, one I_T nexus per session. The PDUs and their
 * codec live in {@link dev.secdrive.protocol.iscsi}.
 */
package dev.secdrive.emulator.endpoint.iscsi;
