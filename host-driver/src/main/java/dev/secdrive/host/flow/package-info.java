/**
 * The host's licensing flows on top of {@link dev.secdrive.host.api.Secure} (PROTOCOL.md "Secure
 * layer"): {@link dev.secdrive.host.flow.Licensor} writes titles and installs licenses (FIG. 5),
 * {@link dev.secdrive.host.flow.Player} plays them (FIG. 6), {@link dev.secdrive.host.flow.Backups}
 * backs licenses up and restores them (FIG. 7-15), {@link
 * dev.secdrive.host.flow.LicensorCredential} is the licensor's key and certificate.
 *
 * <p>The software copy (PROTOCOL.md "Software copy", seed 003): {@link
 * dev.secdrive.host.flow.MasterAuthoring} presses a master's image with its catalog, {@link
 * dev.secdrive.host.flow.SoftwareCopy} copies a title from the master drive to the target drive
 * with the central site's consent ({@link dev.secdrive.host.flow.CenterClient}) by either
 * embodiment, {@link dev.secdrive.host.flow.Runner} runs the copy (FIG. 6, FIG. 10), {@link
 * dev.secdrive.host.flow.CopyCertificates} checks a copy certificate, {@link
 * dev.secdrive.host.flow.UserKey} is the user key KU.
 */
package dev.secdrive.host.flow;
