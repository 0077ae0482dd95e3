/**
 * The host application's view of a drive: {@link dev.secdrive.host.api.Drive}, opened from a URI
 * such as {@code tcp://127.0.0.1:7140/0}, with typed results and exceptions that say what happened:
 * {@link dev.secdrive.host.api.ScsiException} for a command the device refused, {@link
 * dev.secdrive.host.api.TransportException} for a lost or broken connection, {@link
 * dev.secdrive.host.api.CommandTimeoutException} for a command that got no answer in time.
 */
package dev.secdrive.host.api;
