/**
 * The scaffolding of secdrive's small JSON services on the JDK's {@code com.sun.net.httpserver}: a
 * {@link dev.secdrive.kit.http.JsonServer} with bounded concurrency that answers 503 when full,
 * request and response time limits, a bounded request body, Host and Origin checks against web
 * pages (DNS rebinding, cross-site requests), bearer-token checks in constant time, and one error
 * shape, {@code {"error": "..."}}. {@link dev.secdrive.kit.http.Json} maps records to JSON with
 * binary fields as hexadecimal, for the servers and their clients alike (STYLE.md 9; the emulator's
 * control API and license-center/API.md use it).
 */
package dev.secdrive.kit.http;
