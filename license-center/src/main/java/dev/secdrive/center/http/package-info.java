/**
 * The central site's HTTP and JSON API (license-center/API.md; PROTOCOL.md "Software copy" for the
 * binary values it carries as hex), served with the JDK's HttpServer.
 */
package dev.secdrive.center.http;
