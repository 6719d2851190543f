package io.github.sensecapexporter.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Builds the HTTP server's {@link SSLContext} from a PEM certificate chain and PKCS#8 key, or from
 * a PKCS12 or JKS keystore, with only java.security. Every failure is a {@link SettingsException}
 * naming the key whose file is wrong; no message ever holds a password or key material.
 */
final class TlsFiles {
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final String CONVERT =
      "; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8";

  private TlsFiles() {}

  /** A context serving {@code certFile}'s chain with {@code keyFile}'s key. */
  static SSLContext fromPem(String certKey, String certFile, String keyKey, String keyFile) {
    List<X509Certificate> chain = certificates(certKey, read(certKey, certFile));
    PrivateKey key = privateKey(keyKey, read(keyKey, keyFile));
    if (!matches(key, chain.get(0))) {
      throw new SettingsException(
          keyKey,
          "the key in " + keyFile + " does not belong to the first certificate of " + certKey);
    }
    try {
      // An in-memory store only hands the key to the KeyManagerFactory; its password never leaves.
      char[] password = randomPassword();
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
      return context(store, password);
    } catch (GeneralSecurityException | IOException e) {
      throw new SettingsException(
          keyKey, "cannot use the key with the certificate (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** A context serving the key entry of a PKCS12 or JKS keystore (the format is detected). */
  static SSLContext fromKeystore(String fileKey, String file, String passwordKey, Secret password) {
    Path path = path(fileKey, file);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new SettingsException(fileKey, "cannot read " + file);
    }
    char[] chars = password.reveal().toCharArray();
    KeyStore store;
    try {
      store = KeyStore.getInstance(path.toFile(), chars);
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException) {
        throw new SettingsException(passwordKey, "does not open " + file + " (wrong password)");
      }
      throw new SettingsException(
          fileKey, "cannot read " + file + " as a PKCS12 or JKS keystore (" + describe(e) + ")");
    } catch (GeneralSecurityException e) {
      throw new SettingsException(
          fileKey, "is not a PKCS12 or JKS keystore: " + file + " (" + describe(e) + ")");
    }
    try {
      boolean hasKey = false;
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias) && store.getCertificate(alias) != null) {
          hasKey = true;
        }
      }
      if (!hasKey) {
        throw new SettingsException(
            fileKey, file + " holds no private key with a certificate chain");
      }
      return context(store, chars);
    } catch (UnrecoverableKeyException e) {
      throw new SettingsException(
          passwordKey,
          "opens " + file + " but not its private key: the key must have the keystore's password");
    } catch (GeneralSecurityException e) {
      throw new SettingsException(
          fileKey, "cannot use the key in " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static SSLContext context(KeyStore store, char[] password)
      throws GeneralSecurityException {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }

  private static Path path(String key, String file) {
    try {
      return Path.of(file);
    } catch (InvalidPathException e) {
      throw new SettingsException(key, "is not a file name: " + e.getReason());
    }
  }

  private static byte[] read(String key, String file) {
    try {
      return Files.readAllBytes(path(key, file));
    } catch (IOException | RuntimeException e) {
      throw new SettingsException(
          key, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static List<X509Certificate> certificates(String key, byte[] pem) {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Certificate certificate : factory.generateCertificates(new ByteArrayInputStream(pem))) {
        chain.add((X509Certificate) certificate);
      }
    } catch (CertificateException | RuntimeException e) {
      throw new SettingsException(
          key, "is not a PEM certificate chain (" + e.getClass().getSimpleName() + ")");
    }
    if (chain.isEmpty()) {
      throw new SettingsException(key, "holds no PEM certificate");
    }
    return List.copyOf(chain);
  }

  private static PrivateKey privateKey(String key, byte[] file) {
    String pem = new String(file, StandardCharsets.US_ASCII);
    if (pem.contains("-----BEGIN RSA PRIVATE KEY-----")) {
      throw new SettingsException(key, "holds a PKCS#1 RSA key (BEGIN RSA PRIVATE KEY)" + CONVERT);
    }
    if (pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
      throw new SettingsException(key, "holds a SEC1 EC key (BEGIN EC PRIVATE KEY)" + CONVERT);
    }
    if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      throw new SettingsException(
          key,
          "holds an encrypted key; decrypt it with: openssl pkcs8 -nocrypt -in KEY -out KEY.plain"
              + " (or use keystore-file with a password)");
    }
    Matcher matcher = PKCS8.matcher(pem);
    if (!matcher.find()) {
      throw new SettingsException(key, "holds no PEM PKCS#8 key (BEGIN PRIVATE KEY)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(matcher.group(1).replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new SettingsException(key, "holds a PEM key that is not valid base64");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException | RuntimeException e) {
        // Not this algorithm: try the next one.
      } catch (GeneralSecurityException e) {
        throw new SettingsException(
            key, "cannot load the key (" + e.getClass().getSimpleName() + ")");
      }
    }
    throw new SettingsException(key, "holds a PKCS#8 key that is neither RSA nor EC");
  }

  /** Whether the certificate's public key verifies what the private key signs. */
  private static boolean matches(PrivateKey key, X509Certificate certificate) {
    if (!key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())) {
      return false;
    }
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] probe = new byte[32];
    new SecureRandom().nextBytes(probe);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static char[] randomPassword() {
    SecureRandom random = new SecureRandom();
    char[] password = new char[24];
    for (int i = 0; i < password.length; i++) {
      password[i] = (char) ('a' + random.nextInt(26));
    }
    return password;
  }

  /** An exception's class only: its message could quote what it failed on. */
  private static String describe(Exception e) {
    return e.getClass().getSimpleName();
  }
}
