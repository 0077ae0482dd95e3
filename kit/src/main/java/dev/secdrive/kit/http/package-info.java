/**
 * The scaffolding of secdrive's small JSON services on Netty's HTTP/1.1 codec: a {@link
 * dev.secdrive.kit.http.JsonServer} that reads without blocking (an idle or half-sent connection
 * holds no thread), closes a connection whose request misses its deadline, bounds its connections,
 * runs handlers on a bounded pool that answers 503 when full, bounds the request body, Host and
 * Origin checks against web pages (DNS rebinding, cross-site requests), bearer-token checks in
 * constant time, and one error shape, {@code {"error": "..."}}. {@link dev.secdrive.kit.http.Json}
 * maps records to JSON with binary fields as hexadecimal, for the servers and their clients alike
 * (STYLE.md 9; the emulator's control API and license-center/API.md use it).
 */
package dev.secdrive.kit.http;
