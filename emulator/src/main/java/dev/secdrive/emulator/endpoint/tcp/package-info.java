/**
 * The TCP carrier: a Netty server whose pipeline is length-prefixed framing (PROTOCOL.md, "TCP") in
 * front of the shared command handler; many tags outstanding per connection, with bounded
 * connections and a deadline for a begun frame.
 */
package dev.secdrive.emulator.endpoint.tcp;
