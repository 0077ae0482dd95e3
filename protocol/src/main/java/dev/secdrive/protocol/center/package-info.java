/**
 * The central site's HTTP API (license-center/API.md): its routes ({@link
 * dev.secdrive.protocol.center.CenterRoutes}) and its request and answer bodies as plain records,
 * one place for the server in license-center and the client in host-driver. A record's component
 * names are the JSON field names; {@code byte[]} components travel as hexadecimal strings; a
 * component that may be absent is named in the record's {@code OPTIONAL} set or documented as
 * nullable. The JSON mapping itself lives with the callers (kit's {@code Json}), so this package
 * stays free of I/O and of Jackson.
 */
package dev.secdrive.protocol.center;
