package dev.secdrive.protocol.center;

/** Every refusal's body (API.md "Conventions"). */
public record ErrorAnswer(String error) {}
