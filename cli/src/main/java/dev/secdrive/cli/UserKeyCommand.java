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
 * {@code secdrive user-key}: the user key KU of the software copy's first scheme (PROTOCOL.md
 * "Scheme 1"), whose public half the central site registers for the user.
 */
@Command(
    name = "user-key",
    mixinStandardHelpOptions = true,
    description = "Create the user key the central site seals title keys to (software copy).",
    subcommands = {UserKeyCommand.Create.class})
final class UserKeyCommand {

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create an X25519 user key file (0600) and print its public key.")
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
        Json.print(spec.commandLine().getOut(), value);
      } else {
        spec.commandLine().getOut().println("created user key " + out);
        spec.commandLine().getOut().println("public key: " + key.publicKeyHex());
      }
      return 0;
    }
  }
}
