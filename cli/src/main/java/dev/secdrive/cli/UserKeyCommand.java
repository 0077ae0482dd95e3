package dev.secdrive.cli;

import dev.secdrive.host.flow.UserKey;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive user-key}: the user key of the software copy: the Ed25519 key that signs the
 * user's copy requests (license-center/API.md "Signed copy requests"), and the seed's X25519 KU,
 * which the site registers but seals no title key to (those go to the target drive).
 */
@Command(
    name = "user-key",
    mixinStandardHelpOptions = true,
    description =
        "Create the user key (software copy): the central site verifies the user's copy requests"
            + " with it.",
    subcommands = {UserKeyCommand.Create.class})
final class UserKeyCommand {

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create a user key file (0600): an X25519 pair and an Ed25519 signing pair; print their"
              + " public keys.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Key file.")
    Path out;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      UserKey key = UserKey.create();
      key.save(out);
      if (json) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("file", out.toString());
        value.put("publicKey", key.publicKeyHex());
        value.put("signingKey", key.signingPublicKeyHex());
        Json.print(spec.commandLine().getOut(), value);
      } else {
        spec.commandLine().getOut().println("created user key " + out);
        spec.commandLine().getOut().println("public key: " + key.publicKeyHex());
        spec.commandLine().getOut().println("signing key: " + key.signingPublicKeyHex());
      }
      return 0;
    }
  }
}
