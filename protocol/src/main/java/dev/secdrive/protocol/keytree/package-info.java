/**
 * The key tree of the content move (seed 002, FIG. 21-22): a Subset Difference broadcast-encryption
 * tree (Naor, Naor and Lotspiech, "Revocation and Tracing Schemes for Stateless Receivers", CRYPTO
 * 2001; the scheme of AACS's media key block). {@link dev.secdrive.protocol.keytree.KeyTree} holds
 * the tree secret and makes device node keys and EKBs; {@link
 * dev.secdrive.protocol.keytree.DeviceNodeKeys} is what a drive holds and derives the root key
 * with; {@link dev.secdrive.protocol.keytree.Ekb} is the enabling key block; {@link
 * dev.secdrive.protocol.keytree.SubsetDifference} is the cover. Byte layouts: PROTOCOL.md "Key tree
 * and EKB (seed 002, FIG. 21-22)".
 */
package dev.secdrive.protocol.keytree;
