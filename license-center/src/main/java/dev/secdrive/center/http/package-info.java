/**
 * The central site's HTTP and JSON API (license-center/API.md; PROTOCOL.md "Software copy" for the
 * binary values it carries as hex): the routes and bodies of {@code dev.secdrive.protocol.center},
 * served by kit's {@code JsonServer} on the JDK's HttpServer.
 */
package dev.secdrive.center.http;
