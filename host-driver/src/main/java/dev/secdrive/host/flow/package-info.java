/**
 * The host's licensing flows on top of {@link dev.secdrive.host.api.Secure} (PROTOCOL.md "Secure
 * layer"): {@link dev.secdrive.host.flow.Licensor} writes titles and installs licenses (FIG. 5),
 * {@link dev.secdrive.host.flow.Player} plays them (FIG. 6), {@link dev.secdrive.host.flow.Backups}
 * backs licenses up and restores them (FIG. 7-15), {@link
 * dev.secdrive.host.flow.LicensorCredential} is the licensor's key and certificate.
 */
package dev.secdrive.host.flow;
