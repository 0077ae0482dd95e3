/**
 * The host application's view of a drive: {@link dev.secdrive.host.api.Drive}, opened from a URI
 * such as {@code tcp://127.0.0.1:7140/0}, {@code serial:///dev/ttyUSB0} or {@code
 * iscsi://host/iqn.2026-12.example:disk/1?chap_name=N&chap_secret_file=F} ({@link
 * dev.secdrive.host.api.DriveUri}), with typed results and exceptions that say what happened:
 * {@link dev.secdrive.host.api.ScsiException} for a command the device refused (with the secure
 * layer's {@link dev.secdrive.protocol.security.Reason} where it gave one), {@link
 * dev.secdrive.host.api.TransportException} for a lost or broken connection, {@link
 * dev.secdrive.host.api.CommandTimeoutException} for a command that got no answer in time. {@link
 * dev.secdrive.host.api.Secure} is the secure layer (PROTOCOL.md "Secure layer: SECURITY PROTOCOL
 * IN / OUT").
 */
package dev.secdrive.host.api;
