/** The TCP carrier: a Netty server whose pipeline is length-prefixed framing + command handler. */
package dev.secdrive.emulator.endpoint.tcp;
