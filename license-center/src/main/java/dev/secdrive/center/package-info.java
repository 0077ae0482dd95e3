/**
 * The central site of the software copy (seed 003; PROTOCOL.md "Software copy"): its keys, what it
 * does ({@link dev.secdrive.center.CentralSite}) and how it is started ({@link
 * dev.secdrive.center.LicenseCenter}).
 */
package dev.secdrive.center;
