/**
 * The iSCSI target endpoint (RFC 7143): a portal whose connections log in (section 6), run a
 * discovery session (SendTargets, section 12.3 and appendix C) or a normal session whose SCSI
 * Commands reach the drives through the shared {@link
 * dev.secdrive.emulator.endpoint.CommandHandler}, one I_T nexus per session. The PDUs and their
 * codec live in {@link dev.secdrive.protocol.iscsi}.
 *
 * <p>What the target does for each PDU type, login key, task management function (section 11.5) and
 * error is specified in {@code emulator/ISCSI.md}; the classes: {@link IscsiEndpoint} the portal,
 * {@link IscsiConnection} one connection and session, {@link LoginExchange} login and CHAP, {@link
 * TextExchange} text, {@link ScsiTasks} SCSI tasks, {@link CommandWindow} sequence numbers, {@link
 * TaskManager} task management, {@link SessionTable} live sessions, {@link NopPinger} NOP-In pings.
 */
package dev.secdrive.emulator.endpoint.iscsi;
