package dev.secdrive.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.secdrive.center.CenterKeys;
import dev.secdrive.center.LicenseCenter;
import dev.secdrive.center.store.JdbcConfig;
import dev.secdrive.emulator.secure.Authority;
import dev.secdrive.host.flow.CenterClient;
import dev.secdrive.host.flow.UserKey;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code secdrive center}: the software copy's central site (license-center) — set up its data
 * directory, serve its HTTP API, and the administrative calls: register titles and users, record
 * payments.
 */
@Command(
    name = "center",
    mixinStandardHelpOptions = true,
    description = "Set up, serve and administer the central site of the software copy.",
    subcommands = {
      CenterCommand.Init.class,
      CenterCommand.Recertify.class,
      CenterCommand.Serve.class,
      CenterCommand.TitleCommand.class,
      CenterCommand.UserCommand.class,
      CenterCommand.Pay.class
    })
final class CenterCommand {

  /** {@code --data-dir}. */
  static final class DataDir {
    @Option(
        names = "--data-dir",
        required = true,
        paramLabel = "DIR",
        description = "The central site's data directory (keys, admin token, embedded database).")
    Path directory;
  }

  /** {@code --center URL --admin-token FILE}. */
  static final class Admin {
    @Option(names = "--center", required = true, paramLabel = "URL", description = "Central site.")
    String center;

    @Option(
        names = "--admin-token",
        required = true,
        paramLabel = "FILE",
        description = "File holding the admin token (<data dir>/admin-token).")
    Path adminToken;

    CenterClient client() {
      return new CenterClient(center, MasterCommand.readToken(adminToken));
    }
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

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description =
          "Set up a data directory: the site's keys, its certificate signed by the licensing"
              + " authority, an admin token.")
  static final class Init extends Sub {
    @Mixin DataDir data;
    @Mixin AuthorityCommand.AuthorityFile authorityFile;

    @Option(
        names = "--name",
        defaultValue = "secdrive central site",
        description =
            "The site's name, the subject of its certificate (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() {
      Path file = authorityFile.path();
      if (!Files.exists(file)) {
        throw new CliException(
            "no licensing authority at " + file + " (create one with 'secdrive authority init')");
      }
      Authority authority = Authority.load(file);
      LicenseCenter.setup(data.directory, name, authority.publicKey(), authority::certify);
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("dataDir", data.directory.toString());
      value.put("name", name);
      value.put("adminToken", data.directory.resolve(LicenseCenter.ADMIN_TOKEN_FILE).toString());
      value.put("authorityPublicKey", HexFormat.of().formatHex(authority.publicKey()));
      print(
          value,
          "central site '"
              + name
              + "' set up in "
              + data.directory
              + ", certified by "
              + file
              + "; admin token in "
              + data.directory.resolve(LicenseCenter.ADMIN_TOKEN_FILE));
      return 0;
    }
  }

  @Command(
      name = "recertify",
      mixinStandardHelpOptions = true,
      description =
          "Re-issue the site's certificate with role central site, for the same name and key,"
              + " signed by the licensing authority that certified it; the master key, the admin"
              + " token and the database are kept.")
  static final class Recertify extends Sub {
    @Mixin DataDir data;
    @Mixin AuthorityCommand.AuthorityFile authorityFile;

    @Override
    public Integer call() {
      Path file = authorityFile.path();
      if (!Files.exists(file)) {
        throw new CliException("no licensing authority at " + file);
      }
      Authority authority = Authority.load(file);
      CenterKeys keys =
          LicenseCenter.recertify(data.directory, authority.publicKey(), authority::certify);
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("dataDir", data.directory.toString());
      value.put("name", keys.name());
      value.put("role", keys.certificate().role().toString());
      value.put("authorityPublicKey", HexFormat.of().formatHex(authority.publicKey()));
      print(
          value,
          "central site '"
              + keys.name()
              + "' in "
              + data.directory
              + " certified again by "
              + file
              + " as a central site (role "
              + keys.certificate().role().code()
              + ")");
      return 0;
    }
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = "Serve the central site's HTTP API until interrupted.")
  static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataDir data;

    @Option(
        names = "--listen",
        paramLabel = "HOST:PORT",
        defaultValue = "127.0.0.1:7150",
        description = "Address of the API (default: ${DEFAULT-VALUE}; port 0 picks one).")
    String listen;

    @Option(
        names = "--jdbc-url",
        paramLabel = "URL",
        description = "A database (jdbc:postgresql://...) instead of the embedded one.")
    String jdbcUrl;

    @Option(names = "--db-user", paramLabel = "NAME", description = "Database user.")
    String dbUser;

    @Option(
        names = "--db-password-file",
        paramLabel = "FILE",
        description = "File holding the database password.")
    Path dbPassword;

    @Override
    public Integer call() throws Exception {
      JdbcConfig jdbc;
      if (jdbcUrl == null) {
        if (dbUser != null || dbPassword != null) {
          throw new CliException("--db-user and --db-password-file need --jdbc-url");
        }
        jdbc = JdbcConfig.h2(data.directory);
      } else {
        String password =
            dbPassword == null
                ? null
                : SecretFileOption.read("--db-password-file", dbPassword).strip();
        jdbc = new JdbcConfig(jdbcUrl, dbUser, password);
      }
      LicenseCenter center =
          LicenseCenter.start(data.directory, jdbc, Addresses.parse("--listen", listen));
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    center.close();
                    stopped.countDown();
                  }));
      spec.commandLine()
          .getOut()
          .println("central site listening on http://" + Addresses.format(center.address()));
      spec.commandLine().getOut().flush();
      stopped.await();
      return 0;
    }
  }

  @Command(
      name = "title",
      mixinStandardHelpOptions = true,
      description = "Titles of the contents identifier file.",
      subcommands = {TitleCommand.Add.class})
  static final class TitleCommand {
    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description =
            "Register a title (its key stays at the site; 'secdrive master author' registers and"
                + " encrypts in one go).")
    static final class Add extends Sub {
      @Mixin Admin admin;

      @Option(names = "--id", required = true, paramLabel = "ID", description = "Title ID.")
      String id;

      @Option(names = "--name", required = true, description = "Title name.")
      String name;

      @Option(
          names = "--scheme",
          defaultValue = "2",
          description = "1 = certificate copy, 2 = converted copy (default: ${DEFAULT-VALUE}).")
      int scheme;

      @Option(
          names = "--price",
          defaultValue = "0",
          paramLabel = "CENTS",
          description = "Price of a copy in cents (default: ${DEFAULT-VALUE}).")
      long price;

      @Override
      public Integer call() {
        if (scheme != 1 && scheme != 2) {
          throw new CliException("--scheme must be 1 or 2, not " + scheme);
        }
        if (price < 0) {
          throw new CliException("--price must not be negative: " + price);
        }
        admin.client().registerTitle(id, name, scheme, price);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("titleId", id);
        value.put("name", name);
        value.put("scheme", scheme);
        value.put("priceCents", price);
        print(value, "registered title " + id + " (scheme " + scheme + ", " + price + " cents)");
        return 0;
      }
    }
  }

  @Command(
      name = "user",
      mixinStandardHelpOptions = true,
      description = "Users and their profiles.",
      subcommands = {UserCommand.Add.class, UserCommand.Show.class})
  static final class UserCommand {
    @Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description =
            "Register a user with the public halves of its user key (X25519 and Ed25519 signing"
                + " key).")
    static final class Add extends Sub {
      @Mixin Admin admin;

      @Option(names = "--id", required = true, paramLabel = "ID", description = "User ID.")
      String id;

      @Option(names = "--name", required = true, description = "User name.")
      String name;

      @Option(
          names = "--public-key",
          paramLabel = "HEX",
          description =
              "The user key's X25519 public key (from 'secdrive user-key create'); with"
                  + " --signing-key.")
      String publicKey;

      @Option(
          names = "--signing-key",
          paramLabel = "HEX",
          description = "The user key's Ed25519 public key (from 'secdrive user-key create').")
      String signingKey;

      @Option(
          names = "--user-key",
          paramLabel = "FILE",
          description = "Or the user key file, whose two public keys are sent.")
      Path userKey;

      @Override
      public Integer call() {
        byte[] key;
        byte[] signing;
        if ((publicKey == null) == (userKey == null)) {
          throw new CliException(
              "give --user-key, or --public-key with --signing-key (one of them)");
        }
        if (publicKey != null) {
          if (signingKey == null) {
            throw new CliException(
                "--public-key needs --signing-key: the site verifies the user's copy requests"
                    + " with it");
          }
          key = HexKeys.parse32("--public-key", publicKey, "32 bytes");
          signing = HexKeys.parse32("--signing-key", signingKey, "32 bytes");
        } else {
          if (signingKey != null) {
            throw new CliException("--signing-key goes with --public-key, not with --user-key");
          }
          UserKey loaded = UserKey.load(userKey);
          key = loaded.publicKey();
          signing = loaded.signingPublicKey();
        }
        admin.client().registerUser(id, name, key, signing);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("userId", id);
        value.put("name", name);
        value.put("userKey", HexFormat.of().formatHex(key));
        value.put("signingKey", HexFormat.of().formatHex(signing));
        print(value, "registered user " + id);
        return 0;
      }
    }

    @Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = "A user's profile: copies and bills (needs the admin token).")
    static final class Show extends Sub {
      @Mixin Admin admin;

      @Option(names = "--id", required = true, paramLabel = "ID", description = "User ID.")
      String id;

      @Override
      public Integer call() {
        JsonNode profile = admin.client().user(id);
        if (json) {
          Json.print(out(), profile);
          return 0;
        }
        out()
            .printf(
                "user %s (%s): %d cop(ies), %d cents owed%n",
                profile.path("userId").asText(),
                profile.path("name").asText(),
                profile.path("copies").size(),
                profile.path("owedCents").asLong());
        for (JsonNode c : profile.path("copies")) {
          out()
              .printf(
                  "  copy %d: %s on %s (scheme %d)%n",
                  c.path("serial").asLong(),
                  c.path("titleId").asText(),
                  c.path("mediumId").asText(),
                  c.path("scheme").asInt());
        }
        return 0;
      }
    }
  }

  @Command(
      name = "pay",
      mixinStandardHelpOptions = true,
      description = "Record a payment; it settles the user's bills, oldest first.")
  static final class Pay extends Sub {
    @Mixin Admin admin;

    @Option(names = "--user", required = true, paramLabel = "ID", description = "User ID.")
    String user;

    @Option(names = "--amount", required = true, paramLabel = "CENTS", description = "Cents.")
    long amount;

    @Override
    public Integer call() {
      if (amount < 1) {
        throw new CliException("--amount must be at least 1 cent, not " + amount);
      }
      JsonNode answer = admin.client().pay(user, amount);
      print(
          answer,
          "paid "
              + amount
              + " cents for "
              + user
              + "; still owed: "
              + answer.path("owedCents").asLong()
              + " cents");
      return 0;
    }
  }
}
