package dev.secdrive.kit.files;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.secdrive.kit.crypto.HexKeys;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Set;

/**
 * The licensing authority's key-tree file ({@code secdrive authority key-tree}): the tree secret S
 * of the federation's Subset Difference tree (PROTOCOL.md "Key tree and EKB"), its depth and its
 * category depth, as JSON {@code {"format": 1, "depth": D, "categoryDepth": c, "secret": "<64 hex
 * digits>"}}, owner-only (rw-------). Every distributor of the federation loads it to make device
 * node keys and EKBs ({@code new KeyTree(file.secret(), file.depth())}).
 *
 * @param depth the tree's depth, 1..32 (2^depth leaves)
 * @param categoryDepth c, 0 <= c < depth: distributor k owns the leaves under node 2^c + k
 * @param secret the 32-byte tree secret
 */
public record KeyTreeFile(int depth, int categoryDepth, byte[] secret) {

  public static final int FORMAT = 1;
  public static final int SECRET_LENGTH = 32;
  public static final int DEFAULT_DEPTH = 20;
  public static final int DEFAULT_CATEGORY_DEPTH = 4;
  private static final Set<String> FIELDS = Set.of("format", "depth", "categoryDepth", "secret");
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  public KeyTreeFile {
    if (depth < 1 || depth > 32) {
      throw new IllegalArgumentException("depth must be 1..32, got " + depth);
    }
    if (categoryDepth < 0 || categoryDepth >= depth) {
      throw new IllegalArgumentException(
          "category depth must be 0.."
              + (depth - 1)
              + " for depth "
              + depth
              + ", got "
              + categoryDepth);
    }
    if (secret == null || secret.length != SECRET_LENGTH) {
      throw new IllegalArgumentException("the tree secret must be " + SECRET_LENGTH + " bytes");
    }
    secret = secret.clone();
  }

  /** A new tree: a fresh random secret. */
  public static KeyTreeFile create(int depth, int categoryDepth) {
    byte[] secret = new byte[SECRET_LENGTH];
    new SecureRandom().nextBytes(secret);
    return new KeyTreeFile(depth, categoryDepth, secret);
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  /** The number of leaves of a category: 2^(depth - categoryDepth). */
  public long leavesPerCategory() {
    return 1L << (depth - categoryDepth);
  }

  /** Names the tree, never the secret. */
  @Override
  public String toString() {
    return "KeyTreeFile[depth=" + depth + ", categoryDepth=" + categoryDepth + "]";
  }

  /**
   * Writes the file owner-only, atomically.
   *
   * @param replace whether an existing file is replaced; if not, an existing one is a {@link
   *     java.nio.file.FileAlreadyExistsException}
   */
  public void write(Path file, boolean replace) throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.put("format", FORMAT);
    node.put("depth", depth);
    node.put("categoryDepth", categoryDepth);
    node.put("secret", HexKeys.format(secret));
    byte[] bytes = JSON.writeValueAsBytes(node);
    if (replace) {
      AtomicFiles.replaceSecret(file, bytes);
    } else {
      AtomicFiles.createSecret(file, bytes);
    }
  }

  /**
   * Reads a key-tree file.
   *
   * @throws NoSuchFileException if there is none
   * @throws LooseSecretFileException if others may read or write it
   * @throws IOException naming the file and the problem if it is not a key-tree file of format 1
   */
  public static KeyTreeFile read(Path file) throws IOException {
    byte[] bytes = SecretFiles.read(file);
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!FIELDS.contains(name)) {
          throw new IllegalArgumentException("unknown field '" + name + "'");
        }
      }
      int format = integer(node, "format");
      if (format != FORMAT) {
        throw new IllegalArgumentException("format " + format + "; this secdrive reads " + FORMAT);
      }
      JsonNode secret = node.get("secret");
      return new KeyTreeFile(
          integer(node, "depth"),
          integer(node, "categoryDepth"),
          HexKeys.parse(
              "secret",
              secret != null && secret.isTextual() ? secret.asText() : null,
              SECRET_LENGTH));
    } catch (JacksonException e) {
      throw new IOException("key tree file " + file + " is not JSON: " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IOException("key tree file " + file + " is corrupt: " + e.getMessage(), e);
    }
  }

  private static int integer(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isInt()) {
      throw new IllegalArgumentException("field '" + field + "' is missing or not an integer");
    }
    return value.intValue();
  }
}
