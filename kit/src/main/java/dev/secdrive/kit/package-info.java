/**
 * What several secdrive modules need and no wire format defines: crypto primitives ({@code
 * crypto}), owner-only atomic files ({@code files}), the serial line ({@code serial}), the
 * HTTP/JSON server scaffolding ({@code http}), 16-bit PCM audio and WAV files ({@code audio}) and
 * the keyed audio watermark ({@code watermark}). The kit knows no device and no host and holds no
 * keys: callers pass them in. DESIGN.md, "Modules".
 */
package dev.secdrive.kit;
