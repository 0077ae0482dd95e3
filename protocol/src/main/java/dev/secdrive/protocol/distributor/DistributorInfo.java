package dev.secdrive.protocol.distributor;

/**
 * {@code GET /distributor}: who the distributor is (its certificate of role DISTRIBUTOR from the
 * licensing authority), its place in the federation's key tree, and the EKB version in force.
 */
public record DistributorInfo(
    String name,
    byte[] certificate,
    byte[] publicKey,
    byte[] authorityPublicKey,
    int treeDepth,
    int categoryDepth,
    long category,
    int ekbVersion,
    CopyPolicy copyPolicy) {}
