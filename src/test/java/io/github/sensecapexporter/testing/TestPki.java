package io.github.sensecapexporter.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throw-away certificate authority made with {@code openssl} in a test's directory: a CA, server
 * certificates for the names a test asks for, and client certificates, all signed by the CA. Keys
 * are unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}).
 */
public final class TestPki {
  private final Path dir;
  private final Path openssl;
  private final Path caCert;
  private final Path caKey;

  /** A certificate and its key. */
  public record Pair(Path cert, Path key) {}

  private TestPki(Path dir, Path openssl, String name) throws Exception {
    this.dir = dir;
    this.openssl = openssl;
    this.caKey = newKey(name + "-ca", "RSA");
    this.caCert = dir.resolve(name + "-ca.pem");
    Path ext =
        extensions(
            name + "-ca",
            "basicConstraints=critical,CA:TRUE",
            "keyUsage=critical,keyCertSign,cRLSign");
    openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        caKey.toString(),
        "-out",
        caCert.toString(),
        "-days",
        "2",
        "-subj",
        "/CN=" + name + " test CA",
        "-config",
        ext.toString(),
        "-extensions",
        "v3");
  }

  /** A new CA in {@code dir}; skips (or fails, in CI) the test when openssl is missing. */
  public static TestPki create(Path dir, String name) throws Exception {
    return new TestPki(Files.createDirectories(dir), SystemTools.require("openssl"), name);
  }

  /** The CA certificate, PEM. */
  public Path caCert() {
    return caCert;
  }

  /**
   * A server certificate with the subject alternative name {@code san} ({@code IP:127.0.0.1},
   * {@code DNS:localhost}...), RSA.
   */
  public Pair server(String name, String san) throws Exception {
    return sign(name, "RSA", "/CN=" + name, "subjectAltName=" + san, "extendedKeyUsage=serverAuth");
  }

  /** A client certificate; {@code algorithm} is {@code RSA} or {@code EC}. */
  public Pair client(String name, String algorithm) throws Exception {
    return sign(name, algorithm, "/CN=" + name, "extendedKeyUsage=clientAuth");
  }

  private Pair sign(String name, String algorithm, String subject, String... extensions)
      throws Exception {
    Path key = newKey(name, algorithm);
    Path csr = dir.resolve(name + ".csr");
    Path cert = dir.resolve(name + ".pem");
    openssl("req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", subject);
    String[] all = new String[extensions.length + 1];
    all[0] = "basicConstraints=critical,CA:FALSE";
    System.arraycopy(extensions, 0, all, 1, extensions.length);
    Path ext = extensions(name, all);
    openssl(
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        caCert.toString(),
        "-CAkey",
        caKey.toString(),
        "-CAcreateserial",
        "-out",
        cert.toString(),
        "-days",
        "2",
        "-extfile",
        ext.toString(),
        "-extensions",
        "v3");
    return new Pair(cert, key);
  }

  private Path newKey(String name, String algorithm) throws Exception {
    Path key = dir.resolve(name + ".key");
    if (algorithm.equals("EC")) {
      openssl(
          "genpkey",
          "-algorithm",
          "EC",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-out",
          key.toString());
    } else {
      openssl(
          "genpkey",
          "-algorithm",
          "RSA",
          "-pkeyopt",
          "rsa_keygen_bits:2048",
          "-out",
          key.toString());
    }
    return key;
  }

  private Path extensions(String name, String... lines) throws Exception {
    Path file = dir.resolve(name + ".ext");
    Files.writeString(
        file,
        "[req]\ndistinguished_name = dn\n[dn]\n[v3]\n"
            + String.join("\n", lines)
            + "\nsubjectKeyIdentifier=hash\n");
    return file;
  }

  /** Runs openssl in the directory and fails with its output when it fails. */
  public String openssl(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = openssl.toString();
    System.arraycopy(args, 0, command, 1, args.length);
    SystemTools.Result result = SystemTools.run(dir, null, command);
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          "openssl " + String.join(" ", args) + " failed: " + result.output());
    }
    return result.output();
  }
}
