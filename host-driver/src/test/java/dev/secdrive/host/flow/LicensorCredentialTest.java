package dev.secdrive.host.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LicensorCredentialTest {

  @TempDir Path dir;

  private final TestKeys keys = new TestKeys();

  @Test
  void savedAndLoadedWithOwnerOnlyPermissions() throws Exception {
    LicensorCredential credential = keys.licensor("Studio One");
    Path file = dir.resolve("licensor.json");
    credential.save(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    LicensorCredential loaded = LicensorCredential.load(file);
    assertEquals(credential, loaded);
    assertEquals("Studio One", loaded.name());
    assertEquals(List.of(file), Files.list(dir).toList(), "no temporary file left");
    assertEquals(
        dir.resolve("licensor.json") + " already exists; not overwriting a credential",
        assertThrows(FlowException.class, () -> credential.save(file)).getMessage());
  }

  @Test
  void badFilesAreNamedWithTheirProblem() throws Exception {
    Path missing = dir.resolve("none.json");
    assertEquals(
        "licensor credential " + missing + " does not exist",
        assertThrows(FlowException.class, () -> LicensorCredential.load(missing)).getMessage());

    Path garbage =
        UserKeyTest.ownerOnly(Files.writeString(dir.resolve("garbage.json"), "not json"));
    assertTrue(
        assertThrows(FlowException.class, () -> LicensorCredential.load(garbage))
            .getMessage()
            .startsWith(garbage + " is not a licensor credential (JSON): "));

    Path good = dir.resolve("good.json");
    keys.licensor("Studio One").save(good);
    ObjectNode json = (ObjectNode) JsonMapper.builder().build().readTree(good.toFile());

    assertEquals(
        "licensor credential "
            + dir.resolve("v2.json")
            + ": format 2 is not supported (this"
            + " secdrive reads 1)",
        loadModified(json.deepCopy().put("format", 2), "v2.json"));
    assertEquals(
        "licensor credential "
            + dir.resolve("renamed.json")
            + ": the certificate is for"
            + " 'Studio One', not 'Studio Two'",
        loadModified(json.deepCopy().put("name", "Studio Two"), "renamed.json"));
    assertEquals(
        "licensor credential "
            + dir.resolve("other-key.json")
            + ": the signing key does not"
            + " match the certificate",
        loadModified(json.deepCopy().put("signingKey", "00".repeat(32)), "other-key.json"));
    assertEquals(
        "licensor credential "
            + dir.resolve("other-authority.json")
            + ": the certificate is not"
            + " signed by the authority public key in the credential",
        loadModified(
            json.deepCopy()
                .put(
                    "authorityPublicKey",
                    java.util.HexFormat.of().formatHex(new TestKeys().authority.publicKey())),
            "other-authority.json"));
    assertEquals(
        "licensor credential " + dir.resolve("hex.json") + ": 'certificate' is not hexadecimal",
        loadModified(json.deepCopy().put("certificate", "zz"), "hex.json"));
  }

  private String loadModified(ObjectNode json, String name) throws Exception {
    Path file = dir.resolve(name);
    UserKeyTest.ownerOnly(Files.writeString(file, json.toString()));
    return assertThrows(FlowException.class, () -> LicensorCredential.load(file)).getMessage();
  }
}
