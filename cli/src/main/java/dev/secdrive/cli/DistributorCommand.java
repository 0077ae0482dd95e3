package dev.secdrive.cli;

import dev.secdrive.center.DataDirectory;
import dev.secdrive.center.distributor.Distributor;
import dev.secdrive.center.distributor.DistributorKeys;
import dev.secdrive.center.distributor.DistributorServer;
import dev.secdrive.center.distributor.DistributorService;
import dev.secdrive.center.distributor.store.Rows.ContentRow;
import dev.secdrive.center.distributor.store.Rows.OfferRow;
import dev.secdrive.center.distributor.store.Rows.RevocationRow;
import dev.secdrive.center.distributor.store.Rows.Terms;
import dev.secdrive.center.distributor.store.Rows.UserRow;
import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.emulator.secure.Authority;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive distributor}: one distributor of the content move (seed 002) — license server,
 * contents server and billing — set up, served, and administered. The admin commands open the data
 * directory's databases directly, beside a running server (the embedded ones are opened with
 * AUTO_SERVER=TRUE).
 */
@Command(
    name = "distributor",
    mixinStandardHelpOptions = true,
    description = "Set up, serve and administer a distributor of the content move.",
    subcommands = {
      DistributorCommand.Init.class,
      DistributorCommand.Serve.class,
      DistributorCommand.UserCommand.class,
      DistributorCommand.ContentCommand.class,
      DistributorCommand.OfferCommand.class,
      DistributorCommand.Revoke.class
    })
final class DistributorCommand {

  /** {@code --data-dir}. */
  static final class DataDir {
    @Option(
        names = "--data-dir",
        required = true,
        paramLabel = "DIR",
        description = "The distributor's data directory (keys, key tree, admin token, contents).")
    Path directory;
  }

  abstract static class Sub implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    void print(Object value, String text) {
      if (json) {
        Json.print(out(), value);
      } else {
        out().println(text);
      }
    }
  }

  /** A sub-command that acts on the data directory's databases. */
  abstract static class Local extends Sub {
    @Mixin DataDir data;

    abstract Integer run(Distributor distributor) throws Exception;

    @Override
    public Integer call() throws Exception {
      try (DistributorService service =
          DistributorService.open(data.directory, Clock.systemUTC(), 1)) {
        return run(service.distributor());
      }
    }
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description =
          "Set up a data directory: keys certified by the licensing authority (role DISTRIBUTOR),"
              + " the federation's key tree and this distributor's category in it, an admin"
              + " token, and the two databases.")
  static final class Init extends Sub {
    @Mixin DataDir data;

    @Option(names = "--name", required = true, description = "The distributor's name.")
    String name;

    @Option(
        names = "--authority",
        required = true,
        paramLabel = "FILE",
        description = "The licensing authority's file ('secdrive authority init').")
    Path authorityFile;

    @Option(
        names = "--key-tree",
        required = true,
        paramLabel = "FILE",
        description = "The federation's key-tree file ('secdrive authority key-tree').")
    Path keyTree;

    @Option(
        names = "--category",
        required = true,
        paramLabel = "K",
        description = "This distributor's category index in the key tree.")
    long category;

    @Option(
        names = "--shared-dir",
        paramLabel = "DIR",
        description =
            "Directory of the federation's shared operations database (embedded H2), the same"
                + " for every distributor on this machine.")
    Path sharedDir;

    @Option(
        names = "--jdbc-private",
        paramLabel = "URL",
        description = "The private database (default: embedded H2 in <data dir>/db).")
    String jdbcPrivate;

    @Option(
        names = "--jdbc-shared",
        paramLabel = "URL",
        description = "The shared operations database instead of --shared-dir.")
    String jdbcShared;

    @Override
    public Integer call() {
      if ((sharedDir == null) == (jdbcShared == null)) {
        throw new CliException("give exactly one of --shared-dir and --jdbc-shared");
      }
      if (!Files.exists(authorityFile)) {
        throw new CliException(
            "no licensing authority at "
                + authorityFile
                + " (create one with 'secdrive authority init')");
      }
      Authority authority = Authority.load(authorityFile);
      JdbcConfig privateDb =
          jdbcPrivate == null
              ? DistributorServer.privateH2(data.directory)
              : new JdbcConfig(jdbcPrivate, null, null);
      JdbcConfig sharedDb =
          jdbcShared == null
              ? DistributorServer.sharedH2(sharedDir)
              : new JdbcConfig(jdbcShared, null, null);
      DistributorKeys keys =
          DistributorServer.setup(
              data.directory,
              name,
              authority.publicKey(),
              authority::certify,
              keyTree,
              category,
              privateDb,
              sharedDb);
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("dataDir", data.directory.toString());
      value.put("name", keys.name());
      value.put("category", keys.category());
      value.put("publicKey", HexFormat.of().formatHex(keys.certificate().ed25519PublicKey()));
      value.put("adminToken", data.directory.resolve(DataDirectory.ADMIN_TOKEN_FILE).toString());
      value.put("privateDatabase", privateDb.url());
      value.put("sharedDatabase", sharedDb.url());
      print(
          value,
          "distributor '"
              + keys.name()
              + "' set up in "
              + data.directory
              + " (category "
              + keys.category()
              + "), certified by "
              + authorityFile
              + "; admin token in "
              + data.directory.resolve(DataDirectory.ADMIN_TOKEN_FILE));
      return 0;
    }
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = "Serve the distributor's HTTP API until interrupted.")
  static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataDir data;

    @Option(
        names = "--listen",
        paramLabel = "HOST:PORT",
        defaultValue = "127.0.0.1:7160",
        description = "Address of the API (default: ${DEFAULT-VALUE}; port 0 picks one).")
    String listen;

    @Override
    public Integer call() throws Exception {
      DistributorServer server =
          DistributorServer.start(data.directory, Addresses.parse("--listen", listen));
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    server.close();
                    stopped.countDown();
                  }));
      spec.commandLine()
          .getOut()
          .println(
              "distributor '"
                  + server.distributor().keys().name()
                  + "' listening on http://"
                  + Addresses.format(server.address()));
      spec.commandLine().getOut().flush();
      stopped.await();
      return 0;
    }
  }

  @Command(
      name = "user",
      mixinStandardHelpOptions = true,
      description = "Users of this distributor.",
      subcommands = {UserCommand.Add.class})
  static final class UserCommand {
    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description =
            "Register a user (a federation-wide ID) with a password, read from a file or standard"
                + " input; only its Argon2id hash is kept.")
    static final class Add extends Local {
      @Option(names = "--id", required = true, paramLabel = "ID", description = "User ID.")
      String id;

      @Option(names = "--name", required = true, description = "The user's name.")
      String name;

      @Option(
          names = "--password-file",
          paramLabel = "FILE",
          description = "File holding the password (default: the first line of standard input).")
      Path passwordFile;

      @Override
      Integer run(Distributor distributor) throws Exception {
        String password =
            passwordFile == null
                ? new java.io.BufferedReader(
                        new java.io.InputStreamReader(
                            System.in, java.nio.charset.StandardCharsets.UTF_8))
                    .readLine()
                : SecretFileOption.read("--password-file", passwordFile).strip();
        if (password == null) {
          throw new CliException("no password on standard input");
        }
        UserRow user = distributor.addUser(id, name, password);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("userId", user.userId());
        value.put("name", user.name());
        value.put("registeredAt", user.registeredAt().toString());
        print(value, "registered user " + user.userId() + " (" + user.name() + ")");
        return 0;
      }
    }
  }

  @Command(
      name = "content",
      mixinStandardHelpOptions = true,
      description = "The catalog.",
      subcommands = {ContentCommand.Add.class})
  static final class ContentCommand {
    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description =
            "Add a content to the catalog: its data encrypted under its content key, its license"
                + " and its price.")
    static final class Add extends Local {
      @Option(names = "--id", required = true, paramLabel = "ID", description = "Content ID.")
      String id;

      @Option(names = "--file", required = true, paramLabel = "FILE", description = "The data.")
      Path file;

      @Option(names = "--name", description = "Name (default: the content ID).")
      String name;

      @Option(
          names = "--codec",
          defaultValue = "application/octet-stream",
          description = "Codec (default: ${DEFAULT-VALUE}).")
      String codec;

      @Option(
          names = "--price",
          defaultValue = "0",
          paramLabel = "CENTS",
          description = "Price of a license in cents (default: ${DEFAULT-VALUE}).")
      long price;

      @Option(
          names = "--license-id",
          required = true,
          paramLabel = "ID",
          description = "The license ID.")
      String licenseId;

      @Mixin UseTerms use;

      @Override
      Integer run(Distributor distributor) throws Exception {
        Terms terms = use.terms();
        ContentRow row =
            distributor.addContent(
                id,
                name == null ? id : name,
                codec,
                licenseId,
                price,
                terms,
                Files.readAllBytes(file));
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("contentId", row.contentId());
        value.put("licenseId", row.licenseId());
        value.put("priceCents", row.priceCents());
        value.put("length", row.length());
        print(
            value,
            "added content "
                + row.contentId()
                + " ("
                + row.length()
                + " bytes, license "
                + row.licenseId()
                + ", "
                + row.priceCents()
                + " cents)");
        return 0;
      }
    }
  }

  /** The use conditions a license or an update offer grants. */
  static final class UseTerms {
    @Option(
        names = "--plays",
        defaultValue = "4294967295",
        description = "Plays (default: ${DEFAULT-VALUE} = unlimited).")
    long plays;

    @Option(
        names = "--days",
        defaultValue = "0",
        description = "Days the license lasts from its issue (default: 0 = no end).")
    int days;

    @Option(
        names = "--copies",
        defaultValue = "0",
        description = "Contents copy certificates allowed per license (default: 0).")
    int copies;

    @Option(
        names = "--removable-copies",
        defaultValue = "0",
        description = "Copies to removable media per license (default: 0).")
    int removableCopies;

    Terms terms() {
      try {
        return new Terms(plays, days, copies, removableCopies);
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage().replace("field '", "option '"));
      }
    }
  }

  @Command(
      name = "offer",
      mixinStandardHelpOptions = true,
      description = "Update offers (S101-S102): new use conditions for a license already bought.",
      subcommands = {OfferCommand.Add.class})
  static final class OfferCommand {
    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description =
            "Add an update offer for a content: a user holding its license buys a new serial with"
                + " these conditions (client update --offer).")
    static final class Add extends Local {
      @Option(
          names = "--content",
          required = true,
          paramLabel = "ID",
          description = "The content the offer updates licenses of.")
      String contentId;

      @Option(names = "--id", required = true, paramLabel = "OFFER", description = "Offer ID.")
      String id;

      @Option(
          names = "--price",
          defaultValue = "0",
          paramLabel = "CENTS",
          description = "Price of the update in cents (default: ${DEFAULT-VALUE}).")
      long price;

      @Mixin UseTerms use;

      @Override
      Integer run(Distributor distributor) {
        OfferRow row = distributor.addOffer(contentId, id, price, use.terms());
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("offerId", row.offerId());
        value.put("contentId", row.contentId());
        value.put("priceCents", row.priceCents());
        value.put("plays", row.terms().plays());
        value.put("days", row.terms().days());
        value.put("copies", row.terms().copies());
        value.put("removableCopies", row.terms().removableCopies());
        print(
            value,
            "added offer "
                + row.offerId()
                + " for content "
                + row.contentId()
                + " ("
                + row.priceCents()
                + " cents)");
        return 0;
      }
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description =
          "Revoke a client federation-wide: the next EKB of every distributor leaves it out.")
  static final class Revoke extends Local {
    @Parameters(index = "0", paramLabel = "CLIENT", description = "The client ID.")
    String clientId;

    @Override
    Integer run(Distributor distributor) {
      RevocationRow row = distributor.revoke(clientId);
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("clientId", row.clientId());
      value.put("leafId", row.leafId());
      value.put("ekbVersion", row.version());
      print(
          value,
          "revoked client "
              + row.clientId()
              + " (leaf "
              + row.leafId()
              + "); EKB version "
              + row.version());
      return 0;
    }
  }
}
