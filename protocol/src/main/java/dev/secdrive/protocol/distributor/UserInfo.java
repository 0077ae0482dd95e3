package dev.secdrive.protocol.distributor;

/** A user of this distributor; the password hash never leaves the database. */
public record UserInfo(String userId, String name, String registeredAt) {}
